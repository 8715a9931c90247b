
k
group-0001-001
group-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
(
group-0001-002
group-0001úµ¦ØZ
(
group-0001-003
group-0001Ž¶¦ØZ
(
group-0001-004
group-0001˜¶¦Øj
3
group-0001-005
group-0001¬¶¦Ør
group-1 
/
group-0001-006
group-0001 ¿¦Øz	
group-1
0
group-0001-007
group-0001 ¿¦Ør

ex-1 
,
group-0001-008
group-0001¤Æ¦Øz
ex-1
)
group-0001-009
group-0001àÆ¦ØŠ