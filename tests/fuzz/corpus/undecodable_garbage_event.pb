
i
utf8-0001-001	utf8-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
&
utf8-0001-002	utf8-0001úµ¦ØZ
not an event at all
&
utf8-0001-003	utf8-0001Ž¶¦ØZ
&
utf8-0001-004	utf8-0001˜¶¦Øj
.
utf8-0001-005	utf8-0001è¶¦Ør

ex-1 
*
utf8-0001-006	utf8-0001ÄÂ¦Øz
ex-1
'
utf8-0001-007	utf8-0001øÃ¦ØŠ