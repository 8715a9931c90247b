
l
zone-0001-001	zone-0001ðµ¦ØRH

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:Pacific/Kiritimati@H
&
zone-0001-002	zone-0001úµ¦ØZ
&
zone-0001-003	zone-0001Ž¶¦ØZ
&
zone-0001-004	zone-0001˜¶¦Øj
.
zone-0001-005	zone-0001è¶¦Ør

ex-1 
*
zone-0001-006	zone-0001ÄÂ¦Øz
ex-1
'
zone-0001-007	zone-0001øÃ¦ØŠ
h
zone-0002-001	zone-0002Èº¦ØRD

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:Asia/Kathmandu@H
&
zone-0002-002	zone-0002Òº¦ØZ
&
zone-0002-003	zone-0002æº¦ØZ
&
zone-0002-004	zone-0002ðº¦Øj
.
zone-0002-005	zone-0002À»¦Ør

ex-1 
*
zone-0002-006	zone-0002œÇ¦Øz
ex-1
'
zone-0002-007	zone-0002ÐÈ¦ØŠ