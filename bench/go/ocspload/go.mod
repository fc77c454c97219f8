module ocspload

go 1.19
