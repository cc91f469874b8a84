// Command gosec runs gosec's rules and analyzers over the packages under
// the folders it is given, with the project's policy: the configuration
// file named by -conf (scripts/gosec.json: rules left out by path), the
// rules named by -exclude left out everywhere, and every #nosec
// suppression required to name its rules and give a reason. It prints
// each finding as file:line and exits 1 when there is any finding or any
// package could not be analysed.
//
// It uses gosec as a library, in a module of its own, rather than gosec's
// own command: the command also carries clients for AI services that
// suggest fixes, which are most of what a fresh machine must compile to
// run it (225 s of CPU against 36 s for the rules, docs/security.md).
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/securego/gosec/v2"
	"github.com/securego/gosec/v2/analyzers"
	"github.com/securego/gosec/v2/issue"
	"github.com/securego/gosec/v2/rules"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gosec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	confFile := fs.String("conf", "", "gosec configuration `file` (JSON)")
	exclude := fs.String("exclude", "", "comma-separated `rules` left out everywhere, such as G104,G115")
	verbose := fs.Bool("v", false, "log each package as it is analysed")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "gosec: name the folders to check, such as ./...")
		return 2
	}
	logger := log.New(io.Discard, "", 0)
	if *verbose {
		logger = log.New(stderr, "gosec: ", 0)
	}

	conf := gosec.NewConfig()
	if *confFile != "" {
		f, err := os.Open(*confFile)
		if err != nil {
			fmt.Fprintf(stderr, "gosec: %v\n", err)
			return 2
		}
		_, err = conf.ReadFrom(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "gosec: reading %s: %v\n", *confFile, err)
			return 2
		}
	}
	conf.SetGlobal(gosec.NoSecRequireRules, "true")
	conf.SetGlobal(gosec.NoSecRequireJustification, "true")
	conf.SetGlobal(gosec.ExcludeRules, *exclude)
	pathRules, err := conf.GetExcludeRules()
	if err != nil {
		fmt.Fprintf(stderr, "gosec: the exclude-rules in %s: %v\n", *confFile, err)
		return 2
	}
	byPath, err := gosec.NewPathExclusionFilter(pathRules)
	if err != nil {
		fmt.Fprintf(stderr, "gosec: the exclude-rules in %s: %v\n", *confFile, err)
		return 2
	}

	var ruleFilters []rules.RuleFilter
	var analyzerFilters []analyzers.AnalyzerFilter
	if *exclude != "" {
		ids := strings.Split(*exclude, ",")
		ruleFilters = append(ruleFilters, rules.NewRuleFilter(true, ids...))
		analyzerFilters = append(analyzerFilters, analyzers.NewAnalyzerFilter(true, ids...))
	}
	a := gosec.NewAnalyzer(conf, false, false, false, runtime.GOMAXPROCS(0), logger)
	a.LoadRules(rules.Generate(false, ruleFilters...).RulesInfo())
	a.LoadAnalyzers(analyzers.Generate(false, analyzerFilters...).AnalyzersInfo())

	skip := gosec.ExcludedDirsRegExp([]string{"vendor", `\.git/`})
	var dirs []string
	for _, root := range fs.Args() {
		found, err := gosec.PackagePaths(root, skip)
		if err != nil {
			fmt.Fprintf(stderr, "gosec: listing the packages under %s: %v\n", root, err)
			return 2
		}
		dirs = append(dirs, found...)
	}
	if len(dirs) == 0 {
		fmt.Fprintln(stderr, "gosec: no Go packages under", strings.Join(fs.Args(), " "))
		return 2
	}
	sort.Strings(dirs)
	if err := a.Process(nil, dirs...); err != nil {
		fmt.Fprintf(stderr, "gosec: %v\n", err)
		return 1
	}
	issues, metrics, errs := a.Report()
	issues, _ = byPath.FilterIssues(issues)

	// The errors are files gosec could not read or type-check, and #nosec
	// annotations the policy refuses; each says which.
	refused := 0
	files := make([]string, 0, len(errs))
	for file := range errs {
		files = append(files, file)
	}
	sort.Strings(files)
	for _, file := range files {
		for _, e := range errs[file] {
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", file, e.Line, e.Column, e.Err)
			refused++
		}
	}
	sort.Slice(issues, func(i, j int) bool {
		if issues[i].File != issues[j].File {
			return issues[i].File < issues[j].File
		}
		return lineOf(issues[i]) < lineOf(issues[j])
	})
	open := 0
	for _, is := range issues {
		if len(is.Suppressions) > 0 {
			continue
		}
		fmt.Fprintf(stdout, "%s: %s (severity %s, confidence %s): %s\n  %s\n",
			is.FileLocation(), is.RuleID, is.Severity, is.Confidence, is.What, strings.TrimSpace(is.Code))
		open++
	}
	fmt.Fprintf(stderr, "gosec: %d packages, %d files, %d lines: %d findings, %d errors\n", len(dirs), metrics.NumFiles, metrics.NumLines, open, refused)
	if open > 0 || refused > 0 {
		return 1
	}
	return 0
}

// lineOf is the line a finding starts on ("12", or "12-14" for a range).
func lineOf(is *issue.Issue) int {
	first, _, _ := strings.Cut(is.Line, "-")
	n, _ := strconv.Atoi(first)
	return n
}
