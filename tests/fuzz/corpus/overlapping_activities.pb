
o
overlap-0001-001overlap-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
,
overlap-0001-002overlap-0001úµ¦ØZ
,
overlap-0001-003overlap-0001Ž¶¦ØZ
,
overlap-0001-004overlap-0001˜¶¦Øj
4
overlap-0001-005overlap-0001è¶¦Ør

ex-1 
4
overlap-0001-006overlap-0001Èº¦Ør

nm-1 
0
overlap-0001-007overlap-0001¨¾¦Øz
nm-1
6
overlap-0001-008overlap-0001 ¿¦Ør
gait-1 
6
overlap-0001-009overlap-0001˜À¦Ør
gait-1 
0
overlap-0001-010overlap-0001ÐÈ¦Øz
ex-1
5
overlap-0001-011overlap-0001ŒÉ¦Ør
act-1 
1
overlap-0001-012overlap-0001 Î¦Øz
act-1
-
overlap-0001-013overlap-0001ÔÏ¦ØŠ