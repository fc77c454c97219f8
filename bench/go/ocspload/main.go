// ocspload is the OCSP responder benchmark's client, standard library only: it POSTs
// prepared OCSP requests as CockroachDB's Go client does (application/ocsp-request,
// keep-alive connections, or -close for a new connection per request, as openssl's
// client) from -c concurrent workers, -n requests in all, as fast as they are answered
// or, with -rate R, R requests a second (an open loop: a request is sent when due, not
// when the last one came back, so latency is not inflated by queueing in the client), and
// prints one JSON line: requests per second, latency percentiles, and how many answers
// were not a successful OCSP response.
//
//	ocspload -url http://127.0.0.1:8080 -requests reqs.txt -n 20000 -c 16 [-close] [-rate R]
//	    reqs.txt: one base64 DER request a line; request i is line i mod lines.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"
)

type result struct {
	Requests   int     `json:"requests"`
	Rate       float64 `json:"rate"`
	Concurrent int     `json:"concurrency"`
	Seconds    float64 `json:"seconds"`
	PerSecond  float64 `json:"per_second"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	Failed     int     `json:"failed"`
}

func main() {
	url := flag.String("url", "", "responder URL")
	file := flag.String("requests", "", "file of base64 DER requests, one a line")
	n := flag.Int("n", 10000, "requests in all")
	c := flag.Int("c", 16, "concurrent workers")
	closeEach := flag.Bool("close", false, "a new connection per request")
	rate := flag.Float64("rate", 0, "requests a second (0: as fast as answered)")
	flag.Parse()

	var bodies [][]byte
	f, err := os.Open(*file)
	if err != nil {
		panic(err)
	}
	scan := bufio.NewScanner(f)
	for scan.Scan() {
		der, err := base64.StdEncoding.DecodeString(scan.Text())
		if err != nil {
			panic(err)
		}
		bodies = append(bodies, der)
	}
	f.Close()

	transport := &http.Transport{MaxIdleConnsPerHost: *c, DisableKeepAlives: *closeEach}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}
	latencies := make([]time.Duration, *n)
	failed := make([]bool, *n)
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < *c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= *n {
					return
				}
				if *rate > 0 { // request i is due at start + i/rate
					due := start.Add(time.Duration(float64(i) / *rate * float64(time.Second)))
					time.Sleep(time.Until(due))
				}
				t0 := time.Now()
				resp, err := client.Post(*url, "application/ocsp-request",
					bytes.NewReader(bodies[i%len(bodies)]))
				ok := err == nil
				if ok {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					// a successful OCSPResponse carries a signed BasicOCSPResponse (hundreds
					// of bytes); an error status is 5 bytes
					ok = resp.StatusCode == 200 &&
						resp.Header.Get("Content-Type") == "application/ocsp-response" &&
						len(body) > 100
				}
				latencies[i] = time.Since(t0)
				failed[i] = !ok
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	ms := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))]) / 1e6
	}
	r := result{Requests: *n, Rate: *rate, Concurrent: *c, Seconds: elapsed.Seconds(),
		PerSecond: float64(*n) / elapsed.Seconds(), P50ms: ms(0.5), P90ms: ms(0.9),
		P99ms: ms(0.99), MaxMs: ms(1)}
	for _, bad := range failed {
		if bad {
			r.Failed++
		}
	}
	out, _ := json.Marshal(r)
	fmt.Println(string(out))
}
