
e
edge-0001-001	edge-0001RE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
"
edge-0001-002	edge-0001Z
"
edge-0001-003	edge-0001Z
"
edge-0001-004	edge-0001 j
0
edge-0001-005	edge-0001<ÿ“λάr

ex-1 
+
edge-0001-006	edge-0001 Βz
ex-1
$
edge-0001-007	edge-0001