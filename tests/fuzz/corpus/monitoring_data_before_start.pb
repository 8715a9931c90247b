
5
rtm-0002-001rtm-0002ðµ¦Ø¢
exercise_session
5
rtm-0002-002rtm-0002ðØ«Ø¢
exercise_session
h
rtm-0002-003rtm-0002ðû°Ø’E

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
$
rtm-0002-004rtm-0002¬ü°ØZ
5
rtm-0002-005rtm-0002ðž¶Ø²
	prov-17b3 Àp
h
rtm-0002-006rtm-0002ðÁ»Ø’E

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H