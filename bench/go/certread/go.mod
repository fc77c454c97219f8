module certread

go 1.19
