package linkage

import (
	"sync"
	"sync/atomic"
)

// parallelWorkers runs fn(worker, 0..n-1) on up to workers goroutines, with
// the worker number passed along for callers that keep one accumulator per
// worker and merge them afterwards. Items are handed out one at a time so
// that uneven items (a large block) do not leave a goroutine idle while
// another has a queue.
func parallelWorkers(n, workers int, fn func(worker, i int)) {
	if workers < 1 {
		workers = 1
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(w, i)
			}
		}(w)
	}
	wg.Wait()
}
