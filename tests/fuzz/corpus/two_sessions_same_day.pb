
g
day-0001-001day-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
$
day-0001-002day-0001úµ¦ØZ
$
day-0001-003day-0001Ž¶¦ØZ
$
day-0001-004day-0001˜¶¦Øj
,
day-0001-005day-0001è¶¦Ør

ex-1 
(
day-0001-006day-0001ÄÂ¦Øz
ex-1
%
day-0001-007day-0001øÃ¦ØŠ
g
day-0002-001day-0002 Š§ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
$
day-0002-002day-0002ªŠ§ØZ
$
day-0002-003day-0002¾Š§ØZ
$
day-0002-004day-0002ÈŠ§Øj
.
day-0002-005day-0002ÜŠ§Ør
gait-1 
*
day-0002-006day-0002¼Ž§Øz
gait-1
%
day-0002-007day-0002øŽ§ØŠ