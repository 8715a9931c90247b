
p
rtm-bad-0001-001rtm-bad-0001ðµ¦Ø’E

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
p
rtm-bad-0001-002rtm-bad-0001úµ¦Ø’E

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
l
rtm-bad-0001-003rtm-bad-0001„¶¦Ø’A

demo-rehabPAT~1	prov-17b3 (2medicare:America/Chicago@H
r
rtm-bad-0001-004rtm-bad-0001Ž¶¦Ø’G

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:Mars/Olympus_Mons@H
6
rtm-bad-0001-005rtm-bad-0001˜¶¦Ø²
c*1 <
<
rtm-bad-0001-006rtm-bad-0001¢¶¦Ø²
	prov-17b3 <
E
rtm-bad-0001-007rtm-bad-0001¬¶¦Øª
	prov-17b3"data_review
P
rtm-bad-0001-008rtm-bad-0001¬¶¦Øª%
	prov-17b3ÿÿÿÿÿÿÿÿÿ"data_review
H
rtm-bad-0001-009rtm-bad-0001¬¶¦Øª
	prov-17b3Áp"data_review
O
rtm-bad-0001-010rtm-bad-0001¬¶¦Øª$
	prov-17b3ÿÿÿÿÿÿÿÿ"data_review
P
rtm-bad-0001-011rtm-bad-0001¬¶¦Øª%
	prov-17b3€€€€€€€€€"data_review
H
rtm-bad-0001-012rtm-bad-0001¶¶¦Øª
	prov-17b3Àp"data_review
=
rtm-bad-0001-013rtm-bad-0001À¶¦Ø¢
exercise_session
n
rtm-bad-0001-014rtm-bad-0001Ê¶¦Ø¢C
Akkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk
u
rtm-bad-0001-001rtm-bad-0001ðµ¦Ø’E

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H’@	
u
rtm-bad-0001-001rtm-bad-0001ðµ¦Ø’E

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H’H
M
rtm-bad-0001-012rtm-bad-0001¶¶¦Øª
	prov-17b3Àp"data_reviewª*