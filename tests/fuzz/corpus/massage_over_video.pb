
o
massage-0001-001massage-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
,
massage-0001-002massage-0001úµ¦ØZ
,
massage-0001-003massage-0001Ž¶¦ØZ
,
massage-0001-004massage-0001˜¶¦Øj
9
massage-0001-005massage-0001è¶¦Ør
	massage-1 
5
massage-0001-006massage-0001ô¼¦Øz
	massage-1
=
massage-0001-007massage-0001ô¼¦Ør
manual-197140 
4
massage-0001-008massage-0001ˆÂ¦Øz

manual-1
-
massage-0001-009massage-0001€Ã¦ØŠ