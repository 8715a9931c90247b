
s
video-off-0001-001video-off-0001ðµ¦ØRE

demo-rehab	pt-4f9c2a	prov-17b3 (2medicare:America/Chicago@H
0
video-off-0001-002video-off-0001úµ¦ØZ
0
video-off-0001-003video-off-0001Ž¶¦ØZ
0
video-off-0001-004video-off-0001˜¶¦Øj
8
video-off-0001-005video-off-0001è¶¦Ør

ex-1 
4
video-off-0001-006video-off-0001ÄÂ¦Øz
ex-1
1
video-off-0001-007video-off-0001øÃ¦ØŠ
0
video-off-0001-008video-off-0001Ð¹¦Øj
0
video-off-0001-009video-off-0001À»¦Øj
0
video-off-0001-010video-off-0001ô¼¦Øj
0
video-off-0001-011video-off-0001°½¦Øj