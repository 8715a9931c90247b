
m
cpt-0001-001cpt-0001ðµ¦ØRK

demo-rehab	pt-4f9c2a	prov-17b3 (2commercial-cpt:America/Chicago@H
$
cpt-0001-002cpt-0001úµ¦ØZ
$
cpt-0001-003cpt-0001Ž¶¦ØZ
$
cpt-0001-004cpt-0001˜¶¦Øj
,
cpt-0001-005cpt-0001è¶¦Ør

ex-1 
(
cpt-0001-006cpt-0001ÄÂ¦Øz
ex-1
%
cpt-0001-007cpt-0001øÃ¦ØŠ