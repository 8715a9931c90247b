
g
dst-0001-001dst-0001Ì‡›×RE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
$
dst-0001-002dst-0001Ö‡›×Z
$
dst-0001-003dst-0001ê‡›×Z
$
dst-0001-004dst-0001ô‡›×j
,
dst-0001-005dst-0001Äˆ›×r

ex-1 
(
dst-0001-006dst-0001 ”›×z
ex-1
%
dst-0001-007dst-0001Ô•›×Š