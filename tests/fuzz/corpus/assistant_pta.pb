
s
assistant-0001-001assistant-0001ğµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
8
assistant-0001-002assistant-0001úµ¦ØZ
pta-77
0
assistant-0001-003assistant-0001„¶¦ØZ
0
assistant-0001-004assistant-0001¶¦Øj
8
assistant-0001-005assistant-0001¬¶¦Ør

ex-1 
0
assistant-0001-006assistant-0001Œº¦ØZ
0
assistant-0001-007assistant-0001¸¼¦Øb
4
assistant-0001-008assistant-0001ğÄ¦Øz
ex-1
:
assistant-0001-009assistant-0001ğÄ¦Ør
gait-1 
6
assistant-0001-010assistant-0001ŒÉ¦Øz
gait-1
8
assistant-0001-011assistant-0001ÈÉ¦Øb
pta-77
1
assistant-0001-012assistant-0001„Ê¦ØŠ