
$
odd-0001-001odd-0001ðµ¦ØZ
g
odd-0001-002odd-0001Ž¶¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
g
odd-0001-003odd-0001¬¶¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
(
odd-0001-004odd-0001¶¶¦Øz
ex-0
5
odd-0001-005odd-0001À¶¦Ø‚
ex-0
repetition
+
odd-0001-006odd-0001Ê¶¦Øb	pta-9
$
odd-0001-007odd-0001Ô¶¦ØZ
1
odd-0001-008odd-0001è¶¦Ør
ex-197999 
1
odd-0001-009odd-0001¤·¦Ør
ex-212345 
%
odd-0001-010odd-0001 ¿¦ØŠ
%
odd-0001-011odd-0001Ü¿¦ØŠ
(
odd-0001-012odd-0001˜À¦Øz
ex-1