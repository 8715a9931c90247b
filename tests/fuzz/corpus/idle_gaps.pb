
i
idle-0001-001	idle-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
&
idle-0001-002	idle-0001úµ¦ØZ
&
idle-0001-003	idle-0001Ž¶¦ØZ
&
idle-0001-004	idle-0001˜¶¦Øj
.
idle-0001-005	idle-0001è¶¦Ør

ex-1 
*
idle-0001-006	idle-0001ÄÂ¦Øz
ex-1
'
idle-0001-007	idle-0001øÃ¦ØŠ
7
idle-0001-008	idle-0001¤·¦Ø‚
ex-1
repetition
7
idle-0001-009	idle-0001œ¸¦Ø‚
ex-1
repetition
7
idle-0001-010	idle-0001Ø¸¦Ø‚
ex-1
repetition
7
idle-0001-011	idle-0001À»¦Ø‚
ex-1
repetition
7
idle-0001-012	idle-0001ü»¦Ø‚
ex-1
repetition
7
idle-0001-013	idle-0001¸¼¦Ø‚
ex-1
repetition
7
idle-0001-014	idle-0001 ¿¦Ø‚
ex-1
repetition
7
idle-0001-015	idle-0001ˆÂ¦Ø‚
ex-1
repetition