
q
midnight-0001-001midnight-0001°¯¤ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
.
midnight-0001-002midnight-0001º¯¤ØZ
.
midnight-0001-003midnight-0001Î¯¤ØZ
.
midnight-0001-004midnight-0001Ø¯¤Øj
6
midnight-0001-005midnight-0001¨°¤Ør

ex-1 
2
midnight-0001-006midnight-0001„¼¤Øz
ex-1
6
midnight-0001-007midnight-0001À¼¤Ør

ex-2 
2
midnight-0001-008midnight-0001€Ä¤Øz
ex-2
/
midnight-0001-009midnight-0001¼Ä¤ØŠ