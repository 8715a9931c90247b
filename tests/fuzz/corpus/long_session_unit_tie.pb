
i
long-0001-001	long-0001µ¶ÿRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
&
long-0001-002	long-0001˙µ¶ÿZ
&
long-0001-003	long-0001é∂¶ÿZ
&
long-0001-004	long-0001ò∂¶ÿj
.
long-0001-005	long-0001¨∂¶ÿr

ex-1 
*
long-0001-006	long-0001ê¡¶ÿz
ex-1
.
long-0001-007	long-0001ê¡¶ÿr

nm-1 
*
long-0001-008	long-0001ÙÀ¶ÿz
nm-1
0
long-0001-009	long-0001ÙÀ¶ÿr
gait-1 
,
long-0001-010	long-0001‘œ¶ÿz
gait-1
6
long-0001-011	long-0001‘œ¶ÿr
act-197530 
+
long-0001-012	long-0001‹Ï¶ÿz
act-1
'
long-0001-013	long-0001êÓ¶ÿä