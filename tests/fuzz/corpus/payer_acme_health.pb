
l
acme-0001-001	acme-0001ðµ¦ØRH

demo-rehab	pt-4f9c2a	prov-17b3 (2acme-health:America/Chicago@H
&
acme-0001-002	acme-0001úµ¦ØZ
&
acme-0001-003	acme-0001Ž¶¦ØZ
&
acme-0001-004	acme-0001˜¶¦Øj
.
acme-0001-005	acme-0001è¶¦Ør

ex-1 
*
acme-0001-006	acme-0001ÄÂ¦Øz
ex-1
'
acme-0001-007	acme-0001øÃ¦ØŠ