
l
multi-0000-001
multi-0000ðµ¦ØRF

demo-rehab
pt-multi-0	prov-17b3 (2medicare:America/Chicago@H
l
multi-0001-001
multi-0001ô¼¦ØRF

demo-rehab
pt-multi-1	prov-17b3 (2medicare:America/Chicago@H
l
multi-0002-001
multi-0002øÃ¦ØRF

demo-rehab
pt-multi-0	prov-17b3 (2medicare:America/Chicago@H
r
multi-0003-001
multi-0003üÊ¦ØRL

demo-rehab
pt-multi-1	prov-17b3 (2commercial-cpt:America/Chicago@H
(
multi-0000-002
multi-0000úµ¦ØZ
(
multi-0001-002
multi-0001þ¼¦ØZ
(
multi-0002-002
multi-0002‚Ä¦ØZ
(
multi-0003-002
multi-0003†Ë¦ØZ
(
multi-0000-003
multi-0000Ž¶¦ØZ
(
multi-0001-003
multi-0001’½¦ØZ
(
multi-0002-003
multi-0002–Ä¦ØZ
(
multi-0003-003
multi-0003šË¦ØZ
(
multi-0000-004
multi-0000˜¶¦Øj
(
multi-0001-004
multi-0001œ½¦Øj
(
multi-0002-004
multi-0002 Ä¦Øj
(
multi-0003-004
multi-0003¤Ë¦Øj
0
multi-0000-005
multi-0000è¶¦Ør

ex-1 
0
multi-0001-005
multi-0001ì½¦Ør

ex-1 
0
multi-0002-005
multi-0002ðÄ¦Ør

ex-1 
0
multi-0003-005
multi-0003ôË¦Ør

ex-1 
,
multi-0000-006
multi-0000ÄÂ¦Øz
ex-1
,
multi-0001-006
multi-0001ÈÉ¦Øz
ex-1
,
multi-0002-006
multi-0002ÌÐ¦Øz
ex-1
,
multi-0003-006
multi-0003Ð×¦Øz
ex-1
)
multi-0000-007
multi-0000øÃ¦ØŠ
)
multi-0001-007
multi-0001üÊ¦ØŠ
)
multi-0002-007
multi-0002€Ò¦ØŠ
)
multi-0003-007
multi-0003„Ù¦ØŠ