
,
nostart-0001-001nostart-0001úµ¦ØZ
,
nostart-0001-002nostart-0001Ž¶¦ØZ
,
nostart-0001-003nostart-0001˜¶¦Øj
4
nostart-0001-004nostart-0001è¶¦Ør

ex-1 
0
nostart-0001-005nostart-0001 ¿¦Øz
ex-1
-
nostart-0001-006nostart-0001Ü¿¦ØŠ