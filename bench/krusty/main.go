// Command krusty-bench renders kustomize roots with the Go kustomize library in one process, so
// that benchmark S5 can compare mooring's renderer with the one Flux's kustomize-controller
// embeds without counting process start-up. It reads roots from stdin, one per line, as
// "<root relative to -corpus>" optionally followed by a tab and the sha256 of the expected output,
// and prints one JSON object per line on stdout: one per pass, then a summary.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
)

// resetSchema makes every build start from the built-in OpenAPI schema. kyaml keeps the schema
// in a global that a kustomization's `openapi:` field changes for every later build in the
// process; Flux's kustomize-controller (fluxcd/pkg/kustomize Build) therefore resets and reloads
// it per build, and pays for the reload each time.
var resetSchema bool

// root is one kustomization to render; sha256 is empty when the caller gave none.
type root struct {
	rel    string
	abs    string
	sha256 string
}

// passResult is printed once per pass. Pass 0 is the first (cold) pass: it pays one-off costs
// such as loading the built-in OpenAPI schema, which the caller may want to report apart.
type passResult struct {
	Kind       string  `json:"kind"`
	Pass       int     `json:"pass"`
	Ms         float64 `json:"ms"`
	Failures   int     `json:"failures"`
	Mismatches int     `json:"mismatches"`
}

// summary is printed last; peakRssKb is the process's high-water RSS (VmHWM).
type summary struct {
	Kind        string   `json:"kind"`
	Roots       int      `json:"roots"`
	FailedRoots []string `json:"failedRoots"`
	Mismatched  []string `json:"mismatchedRoots"`
	PeakRssKb   int      `json:"peakRssKb"`
}

func main() {
	corpus := flag.String("corpus", "", "directory the roots are relative to")
	passes := flag.Int("passes", 1, "passes over all roots")
	single := flag.String("single", "", "a root (relative to -corpus) to time alone after the full passes")
	singlePasses := flag.Int("single-passes", 0, "passes over -single")
	flag.BoolVar(&resetSchema, "reset-openapi", false,
		"reset and reload the OpenAPI schema before every build, as Flux's kustomize-controller does")
	flag.Parse()
	if err := run(*corpus, *passes, *single, *singlePasses); err != nil {
		fmt.Fprintln(os.Stderr, "krusty-bench:", err)
		os.Exit(1)
	}
}

func run(corpus string, passes int, single string, singlePasses int) error {
	if corpus == "" {
		return fmt.Errorf("-corpus is required")
	}
	roots, err := readRoots(corpus)
	if err != nil {
		return err
	}
	out := json.NewEncoder(os.Stdout)
	failed := map[string]bool{}
	mismatched := map[string]bool{}
	for i := 0; i < passes; i++ {
		if err := out.Encode(timePass("all", i, roots, failed, mismatched)); err != nil {
			return err
		}
	}
	if single != "" {
		one := []root{{rel: single, abs: filepath.Join(corpus, single)}}
		for i := 0; i < singlePasses; i++ {
			if err := out.Encode(timePass("single", i, one, failed, mismatched)); err != nil {
				return err
			}
		}
	}
	rss, err := peakRssKb()
	if err != nil {
		return err
	}
	return out.Encode(summary{
		Kind:        "summary",
		Roots:       len(roots),
		FailedRoots: keys(failed),
		Mismatched:  keys(mismatched),
		PeakRssKb:   rss,
	})
}

func readRoots(corpus string) ([]root, error) {
	abs, err := filepath.Abs(corpus)
	if err != nil {
		return nil, err
	}
	var roots []root
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		fields := strings.Split(strings.TrimSpace(scanner.Text()), "\t")
		if fields[0] == "" {
			continue
		}
		r := root{rel: fields[0], abs: filepath.Join(abs, fields[0])}
		if len(fields) > 1 {
			r.sha256 = fields[1]
		}
		roots = append(roots, r)
	}
	return roots, scanner.Err()
}

// timePass renders every root once. Output is checked against the expected sha256 only on the
// first pass, and outside the timed region, so hashing never counts as rendering time.
func timePass(kind string, pass int, roots []root, failed, mismatched map[string]bool) passResult {
	result := passResult{Kind: kind, Pass: pass}
	fs := filesys.MakeFsOnDisk()
	var elapsed time.Duration
	for _, r := range roots {
		started := time.Now()
		yaml, err := render(fs, r.abs)
		elapsed += time.Since(started)
		if err != nil {
			result.Failures++
			failed[r.rel] = true
			continue
		}
		if pass == 0 && r.sha256 != "" && digest(yaml) != r.sha256 {
			result.Mismatches++
			mismatched[r.rel] = true
		}
	}
	result.Ms = float64(elapsed.Nanoseconds()) / 1e6
	return result
}

// render is what `kubectl kustomize <root>` does with no flags, minus printing: default options
// (load restrictor LoadRestrictionsRootOnly, no plugins, no helm), except the sort order.
// MakeDefaultOptions asks for no reordering, while kubectl leaves --reorder unspecified, which
// means the legacy sort unless the kustomization sets sortOptions; without that the output
// would differ from the corpus (kubectl's) in order.
func render(fs filesys.FileSystem, dir string) ([]byte, error) {
	if resetSchema {
		openapi.ResetOpenAPI()
		_ = openapi.Schema()
		defer openapi.ResetOpenAPI()
	}
	options := krusty.MakeDefaultOptions()
	options.Reorder = krusty.ReorderOptionUnspecified
	resMap, err := krusty.MakeKustomizer(options).Run(fs, dir)
	if err != nil {
		return nil, err
	}
	return resMap.AsYaml()
}

func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// peakRssKb reads VmHWM, the kernel's record of this process's largest resident set.
func peakRssKb() (int, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

func keys(set map[string]bool) []string {
	return slices.Sorted(maps.Keys(set))
}
