package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestRunBenchIdentify(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runBench(context.Background(), env{}, []string{"identify", "--incidents", "4000", "--sites", "2", "--seed", "3"}, &stdout, &stderr); err != nil {
		t.Fatalf("bench identify: %v\n%s", err, stderr.String())
	}
	out := stdout.String()
	t.Log("\n" + out)
	if !strings.HasPrefix(out, "incidents        4000 over 2 site(s)") {
		t.Errorf("first line should give the incident count:\n%s", out)
	}
	for _, st := range []string{"read", "import\\+resolve", "rank", "match sites", "total"} {
		re := regexp.MustCompile(`(?m)^` + st + ` +[0-9.]+s `)
		if !re.MatchString(out) {
			t.Errorf("no timing line for %s:\n%s", st, out)
		}
	}
	if !regexp.MustCompile(`(?m)^peak memory +[0-9]+ MiB resident`).MatchString(out) {
		t.Errorf("no peak memory line:\n%s", out)
	}
	m := regexp.MustCompile(`(?m)^serial flag +precision ([0-9.]+) \(\d+ of (\d+) flagged\), recall ([0-9.]+) \(\d+ of (\d+) truly serial\) among each site's top 100$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no serial accuracy line:\n%s", out)
	}
	precision, _ := strconv.ParseFloat(m[1], 64)
	recall, _ := strconv.ParseFloat(m[3], 64)
	if m[2] == "0" || m[4] == "0" || precision < 0.7 || recall < 0.7 {
		t.Errorf("serial flag accuracy too low or untested: %s", m[0])
	}
	if m := regexp.MustCompile(`(?m)^across sites +\d+ suspects matched at more than one site; of (\d+) men planted at two sites, \d+ found \(recall ([0-9.]+)\)`).FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Errorf("no cross-site line:\n%s", out)
	}
	if !regexp.MustCompile(`(?m)^resolution +(0\.9[0-9]+|1\.000) of the top suspects`).MatchString(out) {
		t.Errorf("resolution purity missing or under 0.9:\n%s", out)
	}
}

func TestRunBenchIdentifyRefusesBadCount(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := runBench(context.Background(), env{}, []string{"identify", "--incidents", "0"}, &stdout, &stderr)
	if _, ok := err.(usageError); !ok {
		t.Fatalf("got %v, want a usage error", err)
	}
}
