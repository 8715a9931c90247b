
o
timeout-0001-001timeout-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
,
timeout-0001-002timeout-0001úµ¦ØZ
,
timeout-0001-003timeout-0001Ž¶¦ØZ
,
timeout-0001-004timeout-0001˜¶¦Øj
4
timeout-0001-005timeout-0001è¶¦Ør

ex-1 
=
timeout-0001-006timeout-0001À»¦Ø‚
ex-1
repetition
-
timeout-0001-007timeout-0001À»¦ØŠ
=
timeout-0001-008timeout-0001¸¼¦Ø‚
ex-1
repetition
0
timeout-0001-009timeout-0001ô¼¦Øz
ex-1