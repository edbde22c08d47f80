package bench

import (
	"fmt"
	"image/color"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plot sizes: small PNGs, fit for a results page.
const (
	plotW = 6 * vg.Inch
	plotH = 3.5 * vg.Inch
)

var targetColor = map[string]color.Color{
	labelZK:    color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	labelSynod: color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
}

// sweepPoints returns, per target, the (total outstanding, median ops/s)
// points of a closed-loop workload with 100-byte values and no rate.
func sweepPoints(rows []Row, target, workload string) plotter.XYs {
	by := map[int][]float64{}
	for _, r := range rows {
		if r.Target != target || r.Workload != workload || r.ValueSize != 100 || r.Rate > 0 || r.Err != "" || r.Ops == 0 {
			continue
		}
		n := r.Sessions * r.Outstanding
		by[n] = append(by[n], r.OpsPerSec)
	}
	var ns []int
	for n := range by {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	xy := make(plotter.XYs, 0, len(ns))
	for _, n := range ns {
		xy = append(xy, plotter.XY{X: float64(n), Y: median(by[n])})
	}
	return xy
}

// PlotThroughput draws throughput against total outstanding requests for
// setData and getData of 100 bytes, both targets, into a PNG at path.
func PlotThroughput(rows []Row, path string) error {
	p := plot.New()
	p.Title.Text = "Throughput vs outstanding requests (100 B, fsync on)"
	p.X.Label.Text = "outstanding requests (all sessions)"
	p.Y.Label.Text = "ops/s (log scale)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = false, false
	lines := 0
	for _, t := range []string{labelZK, labelSynod} {
		for i, wl := range []string{"set", "get"} {
			xy := sweepPoints(rows, t, wl)
			if len(xy) == 0 {
				continue
			}
			if err := addLine(p, xy, t, i, t+" "+wl); err != nil {
				return err
			}
			lines++
		}
	}
	if lines == 0 {
		return nil
	}
	if err := p.Save(plotW, plotH, path); err != nil {
		return fmt.Errorf("bench: save %s: %w", path, err)
	}
	return nil
}

// addLine draws xy as a line with points in target t's colour, dashes and
// shape number style, and names it in the legend.
func addLine(p *plot.Plot, xy plotter.XYs, t string, style int, name string) error {
	l, pts, err := plotter.NewLinePoints(xy)
	if err != nil {
		return fmt.Errorf("bench: plot: %w", err)
	}
	l.Color, pts.Color = targetColor[t], targetColor[t]
	l.Dashes = plotutil.Dashes(style)
	pts.Shape = plotutil.Shape(style)
	p.Add(l, pts)
	p.Legend.Add(name, l, pts)
	return nil
}

// latencyCases are the cases of the percentile plot.
func latencyCases(rateCase string) []string { return []string{"set 100 B", "get 100 B", rateCase} }

// PlotLatency draws p50/p90/p99/p99.9/max of the headline cases (median
// over runs) of both targets on a log scale into a PNG at path.
func PlotLatency(rows []Row, rateCase, path string) error {
	p := plot.New()
	p.Title.Text = "Latency percentiles (fsync on)"
	p.Y.Label.Text = "ms (log scale)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = false, false
	qs := []func(*Row) float64{
		func(r *Row) float64 { return float64(r.P50us) },
		func(r *Row) float64 { return float64(r.P90us) },
		func(r *Row) float64 { return float64(r.P99us) },
		func(r *Row) float64 { return float64(r.P999us) },
		func(r *Row) float64 { return float64(r.MaxUs) },
	}
	lines := 0
	for _, t := range []string{labelZK, labelSynod} {
		for ci, c := range latencyCases(rateCase) {
			wl := "set"
			if c == "get 100 B" {
				wl = "get"
			}
			rs := find(rows, t, c, wl)
			if len(rs) == 0 {
				continue
			}
			var xy plotter.XYs
			for i, q := range qs {
				// Log scale: clamp to 1 µs.
				xy = append(xy, plotter.XY{X: float64(i), Y: max(medianOf(rs, q), 1) / 1000})
			}
			if err := addLine(p, xy, t, ci, t+" "+c); err != nil {
				return err
			}
			lines++
		}
	}
	if lines == 0 {
		return nil
	}
	p.NominalX("p50", "p90", "p99", "p99.9", "max")
	if err := p.Save(plotW, plotH, path); err != nil {
		return fmt.Errorf("bench: save %s: %w", path, err)
	}
	return nil
}
