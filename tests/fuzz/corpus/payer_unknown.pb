
t
unknown-0001-001unknown-0001ðµ¦ØRJ

demo-rehab	pt-4f9c2a	prov-17b3 (2no-such-payer:America/Chicago@H
,
unknown-0001-002unknown-0001úµ¦ØZ
,
unknown-0001-003unknown-0001Ž¶¦ØZ
,
unknown-0001-004unknown-0001˜¶¦Øj
4
unknown-0001-005unknown-0001è¶¦Ør

ex-1 
0
unknown-0001-006unknown-0001ÄÂ¦Øz
ex-1
-
unknown-0001-007unknown-0001øÃ¦ØŠ