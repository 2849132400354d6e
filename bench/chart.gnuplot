# Renders a benchmark result (bench/results/<timestamp>.dat, written by driver.mjs) as a bar
# chart: median seconds per query per engine, log scale.
#   gnuplot -e "datafile='results/X.dat'; outfile='results/chart.png'; ncol=7" chart.gnuplot
# The .dat file: a header line "query engine1 engine2 ...", then one line per query (NaN: n/a).
if (!exists("datafile")) datafile = 'results/latest.dat'
if (!exists("outfile")) outfile = 'results/chart.png'
if (!exists("ncol")) ncol = 7
if (!exists("subtitle")) subtitle = ''

set terminal pngcairo size 1400,700 font 'sans,11' noenhanced
set output outfile
set title sprintf("cloudtrail_fdw benchmark: median wall-clock seconds per query (log scale)\n%s", subtitle)
set style data histograms
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set yrange [0.001:*]
set format y "%g"
set ylabel "seconds"
set grid ytics mytics
set key outside right top vertical
set datafile missing "NaN"
plot for [i=2:ncol] datafile using i:xtic(1) title columnheader(i)
