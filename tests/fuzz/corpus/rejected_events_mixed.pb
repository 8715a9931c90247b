
g
bad-0001-001bad-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
$
bad-0001-002bad-0001úµ¦ØZ
$
bad-0001-003bad-0001Ž¶¦ØZ
$
bad-0001-004bad-0001˜¶¦Øj
,
bad-0001-005bad-0001è¶¦Ør

ex-1 
(
bad-0001-006bad-0001ÄÂ¦Øz
ex-1
%
bad-0001-007bad-0001øÃ¦ØŠ
e
bad-zonebad-0001ðµ¦ØRG

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:Mars/Olympus_Mons@H
*
bad id with spacesbad-0001úµ¦ØZ


no-payloadbad-0001úµ¦Ø
$
unknown-enumbad-0001úµ¦ØZ*
+
bad-timebad-0001Ž¶¦ØûÿÿÿÿÿÿÿÿZ

no-timebad-0001Z
$
bad-0001-004bad-0001™¶¦Øj