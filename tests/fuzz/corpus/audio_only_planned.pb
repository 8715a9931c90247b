
k
audio-0001-001
audio-0001µ¶ÿRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
(
audio-0001-002
audio-0001˙µ¶ÿZ
(
audio-0001-003
audio-0001é∂¶ÿZ
(
audio-0001-004
audio-0001ò∂¶ÿj
0
audio-0001-005
audio-0001¨∂¶ÿr

ex-1 
,
audio-0001-006
audio-0001ê¡¶ÿz
ex-1
2
audio-0001-007
audio-0001ê¡¶ÿr
self-1 
.
audio-0001-008
audio-0001¨≈¶ÿz
self-1
)
audio-0001-009
audio-0001§∆¶ÿä