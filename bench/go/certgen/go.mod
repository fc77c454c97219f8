module certgen

go 1.19
