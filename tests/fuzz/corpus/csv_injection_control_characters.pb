
e
csvctl-0000-001csvctl-0000ðµ¦ØR=
	x	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
*
csvctl-0000-002csvctl-0000úµ¦ØZ
*
csvctl-0000-003csvctl-0000Ž¶¦ØZ
*
csvctl-0000-004csvctl-0000˜¶¦Øj
2
csvctl-0000-005csvctl-0000è¶¦Ør

ex-1 
.
csvctl-0000-006csvctl-0000ÄÂ¦Øz
ex-1
+
csvctl-0000-007csvctl-0000øÃ¦ØŠ
e
csvctl-0001-001csvctl-0001€Ò¦ØR=
x	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
*
csvctl-0001-002csvctl-0001ŠÒ¦ØZ
*
csvctl-0001-003csvctl-0001žÒ¦ØZ
*
csvctl-0001-004csvctl-0001¨Ò¦Øj
2
csvctl-0001-005csvctl-0001øÒ¦Ør

ex-1 
.
csvctl-0001-006csvctl-0001ÔÞ¦Øz
ex-1
+
csvctl-0001-007csvctl-0001ˆà¦ØŠ
f
csvctl-0002-001csvctl-0002î¦ØR>

demo-rehab	x	prov-17b3 (2medicare:America/Chicago@H
*
csvctl-0002-002csvctl-0002šî¦ØZ
*
csvctl-0002-003csvctl-0002®î¦ØZ
*
csvctl-0002-004csvctl-0002¸î¦Øj
2
csvctl-0002-005csvctl-0002ˆï¦Ør

ex-1 
.
csvctl-0002-006csvctl-0002äú¦Øz
ex-1
+
csvctl-0002-007csvctl-0002˜ü¦ØŠ
f
csvctl-0003-001csvctl-0003 Š§ØR>

demo-rehabx	prov-17b3 (2medicare:America/Chicago@H
*
csvctl-0003-002csvctl-0003ªŠ§ØZ
*
csvctl-0003-003csvctl-0003¾Š§ØZ
*
csvctl-0003-004csvctl-0003ÈŠ§Øj
2
csvctl-0003-005csvctl-0003˜‹§Ør

ex-1 
.
csvctl-0003-006csvctl-0003ô–§Øz
ex-1
+
csvctl-0003-007csvctl-0003¨˜§ØŠ
f
csvctl-0004-001csvctl-0004°¦§ØR>

demo-rehab	pt-4f9c2a	x (2medicare:America/Chicago@H
*
csvctl-0004-002csvctl-0004º¦§ØZ
*
csvctl-0004-003csvctl-0004Î¦§ØZ
*
csvctl-0004-004csvctl-0004Ø¦§Øj
2
csvctl-0004-005csvctl-0004¨§§Ør

ex-1 
.
csvctl-0004-006csvctl-0004„³§Øz
ex-1
+
csvctl-0004-007csvctl-0004¸´§ØŠ
f
csvctl-0005-001csvctl-0005ÀÂ§ØR>

demo-rehab	pt-4f9c2ax (2medicare:America/Chicago@H
*
csvctl-0005-002csvctl-0005ÊÂ§ØZ
*
csvctl-0005-003csvctl-0005ÞÂ§ØZ
*
csvctl-0005-004csvctl-0005èÂ§Øj
2
csvctl-0005-005csvctl-0005¸Ã§Ør

ex-1 
.
csvctl-0005-006csvctl-0005”Ï§Øz
ex-1
+
csvctl-0005-007csvctl-0005ÈÐ§ØŠ
i
csvctl-ok-001	csvctl-okàú§ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
&
csvctl-ok-002	csvctl-okêú§ØZ
&
csvctl-ok-003	csvctl-okþú§ØZ
&
csvctl-ok-004	csvctl-okˆû§Øj
.
csvctl-ok-005	csvctl-okØû§Ør

ex-1 
*
csvctl-ok-006	csvctl-ok´‡¨Øz
ex-1
'
csvctl-ok-007	csvctl-okèˆ¨ØŠ