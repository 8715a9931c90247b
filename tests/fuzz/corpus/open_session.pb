
i
open-0001-001	open-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
&
open-0001-002	open-0001úµ¦ØZ
&
open-0001-003	open-0001Ž¶¦ØZ
&
open-0001-004	open-0001˜¶¦Øj
.
open-0001-005	open-0001è¶¦Ør

ex-1 
7
open-0001-006	open-0001à·¦Ø‚
ex-1
repetition
7
open-0001-007	open-0001Ø¸¦Ø‚
ex-1
repetition