using System.Diagnostics.Metrics;
using System.Globalization;
using OpenTelemetry.Metrics;

namespace MemoryFabric.Telemetry.Tests;

public class ScraperTests
{
    [Fact]
    public void Counter_gets_total_suffix_help_type_and_integer_values()
    {
        using var h = new MetricsHarness();
        var counter = h.Meter.CreateCounter<long>("memoryfabric.requests", unit: "{request}", description: "Handled requests.");
        counter.Add(3, new KeyValuePair<string, object?>("route", "/a"));
        counter.Add(2, new KeyValuePair<string, object?>("route", "/a"));
        counter.Add(1, new KeyValuePair<string, object?>("route", "/b"));

        Assert.Equal(
            "# HELP memoryfabric_requests_total Handled requests.\n" +
            "# TYPE memoryfabric_requests_total counter\n" +
            "memoryfabric_requests_total{route=\"/a\"} 5\n" +
            "memoryfabric_requests_total{route=\"/b\"} 1\n",
            h.Scrape());
    }

    [Fact]
    public void Double_counter_with_seconds_unit_and_no_tags()
    {
        using var h = new MetricsHarness();
        var counter = h.Meter.CreateCounter<double>("memoryfabric.io.time", unit: "s");
        counter.Add(0.1);
        counter.Add(0.2);

        Assert.Equal(
            "# TYPE memoryfabric_io_time_seconds_total counter\n" +
            "memoryfabric_io_time_seconds_total 0.30000000000000004\n",
            h.Scrape());
    }

    [Fact]
    public void UpDownCounter_and_observable_gauge_are_gauges()
    {
        using var h = new MetricsHarness();
        var depth = h.Meter.CreateUpDownCounter<int>("memoryfabric.queue-depth", unit: "{item}", description: "Queued items.");
        depth.Add(5);
        depth.Add(-7);
        h.Meter.CreateObservableGauge(
            "memoryfabric.memory.size",
            () => new[]
            {
                new Measurement<double>(1536, new KeyValuePair<string, object?>("kind", "heap")),
                new Measurement<double>(double.PositiveInfinity, new KeyValuePair<string, object?>("kind", "pos")),
                new Measurement<double>(double.NegativeInfinity, new KeyValuePair<string, object?>("kind", "neg")),
                new Measurement<double>(double.NaN, new KeyValuePair<string, object?>("kind", "nan")),
                new Measurement<double>(0.000125, new KeyValuePair<string, object?>("kind", "tiny")),
            },
            unit: "By",
            description: "Memory in use.");

        Assert.Equal(
            "# HELP memoryfabric_queue_depth Queued items.\n" +
            "# TYPE memoryfabric_queue_depth gauge\n" +
            "memoryfabric_queue_depth -2\n" +
            "# HELP memoryfabric_memory_size_bytes Memory in use.\n" +
            "# TYPE memoryfabric_memory_size_bytes gauge\n" +
            "memoryfabric_memory_size_bytes{kind=\"heap\"} 1536\n" +
            "memoryfabric_memory_size_bytes{kind=\"pos\"} +Inf\n" +
            "memoryfabric_memory_size_bytes{kind=\"neg\"} -Inf\n" +
            "memoryfabric_memory_size_bytes{kind=\"nan\"} NaN\n" +
            "memoryfabric_memory_size_bytes{kind=\"tiny\"} 0.000125\n",
            h.Scrape());
    }

    [Fact]
    public void Long_observable_gauge_and_observable_counter()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateObservableGauge("memoryfabric.index.vectors", () => 42L, unit: "{vector}");
        h.Meter.CreateObservableCounter("memoryfabric.gc.collections", () => 7, unit: "{collection}");

        Assert.Equal(
            "# TYPE memoryfabric_index_vectors gauge\n" +
            "memoryfabric_index_vectors 42\n" +
            "# TYPE memoryfabric_gc_collections_total counter\n" +
            "memoryfabric_gc_collections_total 7\n",
            h.Scrape());
    }

    [Fact]
    public void Tricky_labels_are_sanitized_and_escaped()
    {
        using var h = new MetricsHarness();
        var counter = h.Meter.CreateCounter<long>("memoryfabric.labels");
        counter.Add(
            1,
            new KeyValuePair<string, object?>("quote", "He said \"hi\""),
            new KeyValuePair<string, object?>("backslash", @"C:\data\"),
            new KeyValuePair<string, object?>("newline", "line1\nline2"),
            new KeyValuePair<string, object?>("unicode", "héllo ✓ 日本"),
            new KeyValuePair<string, object?>("http.route", "/memories/{id}"));

        var text = h.Scrape();
        var sample = Assert.Single(text.Split('\n'), l => l.StartsWith("memoryfabric_labels_total{", StringComparison.Ordinal));
        Assert.Contains("quote=\"He said \\\"hi\\\"\"", sample, StringComparison.Ordinal);
        Assert.Contains("backslash=\"C:\\\\data\\\\\"", sample, StringComparison.Ordinal);
        Assert.Contains("newline=\"line1\\nline2\"", sample, StringComparison.Ordinal);
        Assert.Contains("unicode=\"héllo ✓ 日本\"", sample, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/memories/{id}\"", sample, StringComparison.Ordinal);
        Assert.EndsWith("} 1", sample, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_string_tag_values_use_invariant_formatting_and_colliding_keys_merge()
    {
        using var h = new MetricsHarness();
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var counter = h.Meter.CreateCounter<long>("memoryfabric.typed");
            counter.Add(
                1,
                new KeyValuePair<string, object?>("ok", true),
                new KeyValuePair<string, object?>("code", 200),
                new KeyValuePair<string, object?>("ratio", 0.5),
                new KeyValuePair<string, object?>("a.b", "x"),
                new KeyValuePair<string, object?>("a-b", "y"));

            var text = h.Scrape();
            var sample = Assert.Single(text.Split('\n'), l => l.StartsWith("memoryfabric_typed_total{", StringComparison.Ordinal));
            Assert.Contains("ok=\"true\"", sample, StringComparison.Ordinal);
            Assert.Contains("code=\"200\"", sample, StringComparison.Ordinal);
            Assert.Contains("ratio=\"0.5\"", sample, StringComparison.Ordinal);
            Assert.Equal(1, Count(sample, "a_b="));
            Assert.Contains("a_b=\"y;x\"", sample, StringComparison.Ordinal); // the SDK orders tags by key: "a-b" < "a.b"
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Help_text_is_escaped()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("memoryfabric.helpful", description: "First line\nC:\\path \"quoted\"").Add(1);

        Assert.Equal(
            "# HELP memoryfabric_helpful_total First line\\nC:\\\\path \"quoted\"\n" +
            "# TYPE memoryfabric_helpful_total counter\n" +
            "memoryfabric_helpful_total 1\n",
            h.Scrape());
    }

    [Fact]
    public void Seconds_histogram_view_gives_cumulative_buckets_sum_and_count()
    {
        using var h = new MetricsHarness(b => b.AddSecondsHistogramView("memoryfabric.search.duration"));
        var histogram = h.Meter.CreateHistogram<double>("memoryfabric.search.duration", unit: "s", description: "Search latency.");
        var tag = new KeyValuePair<string, object?>("index", "main");
        foreach (var v in new[] { 0.003, 0.02, 0.02, 7, 42 })
        {
            histogram.Record(v, tag);
        }

        var sum = PrometheusTextSerializer.FormatDouble(0.0 + 0.003 + 0.02 + 0.02 + 7 + 42);
        Assert.Equal(
            "# HELP memoryfabric_search_duration_seconds Search latency.\n" +
            "# TYPE memoryfabric_search_duration_seconds histogram\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.001\"} 0\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.0025\"} 0\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.005\"} 1\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.01\"} 1\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.025\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.05\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.1\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.25\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"0.5\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"1\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"2.5\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"5\"} 3\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"10\"} 4\n" +
            "memoryfabric_search_duration_seconds_bucket{index=\"main\",le=\"+Inf\"} 5\n" +
            $"memoryfabric_search_duration_seconds_sum{{index=\"main\"}} {sum}\n" +
            "memoryfabric_search_duration_seconds_count{index=\"main\"} 5\n",
            h.Scrape());
    }

    [Fact]
    public void Default_histogram_without_tags_uses_sdk_millisecond_boundaries()
    {
        using var h = new MetricsHarness();
        var histogram = h.Meter.CreateHistogram<long>("memoryfabric.rpc.latency", unit: "ms");
        histogram.Record(7);
        histogram.Record(20000);

        var lines = h.Scrape().Split('\n');
        Assert.Contains("# TYPE memoryfabric_rpc_latency_milliseconds histogram", lines);
        Assert.Contains("memoryfabric_rpc_latency_milliseconds_bucket{le=\"0\"} 0", lines);
        Assert.Contains("memoryfabric_rpc_latency_milliseconds_bucket{le=\"5\"} 0", lines);
        Assert.Contains("memoryfabric_rpc_latency_milliseconds_bucket{le=\"10\"} 1", lines);
        Assert.Contains("memoryfabric_rpc_latency_milliseconds_bucket{le=\"10000\"} 1", lines);
        Assert.Contains("memoryfabric_rpc_latency_milliseconds_bucket{le=\"+Inf\"} 2", lines);
        Assert.Contains("memoryfabric_rpc_latency_milliseconds_sum 20007", lines);
        Assert.Contains("memoryfabric_rpc_latency_milliseconds_count 2", lines);
    }

    [Fact]
    public void Histogram_with_no_boundaries_still_emits_inf_bucket()
    {
        using var h = new MetricsHarness(b => b.AddView("memoryfabric.sizes", new ExplicitBucketHistogramConfiguration { Boundaries = [] }));
        var histogram = h.Meter.CreateHistogram<double>("memoryfabric.sizes", unit: "By");
        histogram.Record(10);
        histogram.Record(2.5);

        Assert.Equal(
            "# TYPE memoryfabric_sizes_bytes histogram\n" +
            "memoryfabric_sizes_bytes_bucket{le=\"+Inf\"} 2\n" +
            "memoryfabric_sizes_bytes_sum 12.5\n" +
            "memoryfabric_sizes_bytes_count 2\n",
            h.Scrape());
    }

    [Fact]
    public void Instrument_advice_buckets_are_honoured_like_aspnetcore_request_duration()
    {
        // .NET 9+ ASP.NET Core creates http.server.request.duration with these advised boundaries.
        double[] advised = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
        using var h = new MetricsHarness();
        var histogram = h.Meter.CreateHistogram<double>(
            "http.server.request.duration",
            unit: "s",
            description: "Duration of HTTP server requests.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = advised });
        histogram.Record(0.004);

        var buckets = h.Scrape().Split('\n').Where(l => l.StartsWith("http_server_request_duration_seconds_bucket", StringComparison.Ordinal)).ToList();
        Assert.Equal(advised.Length + 1, buckets.Count);
        Assert.Equal("http_server_request_duration_seconds_bucket{le=\"0.005\"} 1", buckets[0]);
        Assert.Equal("http_server_request_duration_seconds_bucket{le=\"7.5\"} 1", buckets[^3]);
        Assert.Equal("http_server_request_duration_seconds_bucket{le=\"+Inf\"} 1", buckets[^1]);
    }

    [Fact]
    public void Seconds_view_leaves_non_histogram_instruments_alone()
    {
        using var h = new MetricsHarness(b => b.AddSecondsHistogramView("memoryfabric.*"));
        h.Meter.CreateCounter<long>("memoryfabric.calls").Add(2);
        h.Meter.CreateHistogram<double>("memoryfabric.call.duration", unit: "s").Record(0.3);

        var lines = h.Scrape().Split('\n');
        Assert.Contains("memoryfabric_calls_total 2", lines);
        Assert.Contains("memoryfabric_call_duration_seconds_bucket{le=\"0.25\"} 0", lines);
        Assert.Contains("memoryfabric_call_duration_seconds_bucket{le=\"0.5\"} 1", lines);
        Assert.DoesNotContain(lines, l => l.Contains("le=\"10000\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Seconds_boundaries_are_exposed_read_only()
    {
        Assert.Equal([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], PrometheusBuckets.Seconds);
        Assert.Throws<NotSupportedException>(() => ((IList<double>)PrometheusBuckets.Seconds)[0] = 3);
    }

    [Fact]
    public void Metrics_without_points_are_omitted()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("memoryfabric.never");
        h.Meter.CreateHistogram<double>("memoryfabric.never.duration", unit: "s");
        h.Meter.CreateObservableGauge("memoryfabric.empty.gauge", () => Array.Empty<Measurement<int>>());

        Assert.Equal(string.Empty, h.Scrape());

        h.Meter.CreateCounter<long>("memoryfabric.once").Add(1);
        Assert.Equal("# TYPE memoryfabric_once_total counter\nmemoryfabric_once_total 1\n", h.Scrape());
    }

    [Fact]
    public void Same_name_from_two_meters_is_grouped_under_one_header()
    {
        using var h = new MetricsHarness();
        using var second = new Meter(h.MeterName + ".second");
        h.Meter.CreateCounter<long>("memoryfabric.shared", description: "Shared ops.").Add(1, new KeyValuePair<string, object?>("source", "one"));
        h.Meter.CreateCounter<long>("memoryfabric.other").Add(9);
        second.CreateCounter<long>("memoryfabric.shared", description: "Shared ops.").Add(2, new KeyValuePair<string, object?>("source", "two"));

        var text = h.Scrape();
        Assert.Equal(1, Count(text, "# TYPE memoryfabric_shared_total counter\n"));
        Assert.Equal(1, Count(text, "# HELP memoryfabric_shared_total Shared ops.\n"));
        Assert.Contains(
            "memoryfabric_shared_total{source=\"one\"} 1\nmemoryfabric_shared_total{source=\"two\"} 2\n",
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Conflicting_types_for_one_name_keep_the_first()
    {
        using var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("memoryfabric.conflict").Add(1);
        h.Meter.CreateObservableGauge("memoryfabric.conflict_total", () => 5);

        Assert.Equal("# TYPE memoryfabric_conflict_total counter\nmemoryfabric_conflict_total 1\n", h.Scrape());
    }

    [Fact]
    public void Values_are_cumulative_across_scrapes()
    {
        using var h = new MetricsHarness();
        var counter = h.Meter.CreateCounter<long>("memoryfabric.cumulative");
        counter.Add(2);
        Assert.Contains("memoryfabric_cumulative_total 2\n", h.Scrape(), StringComparison.Ordinal);
        counter.Add(3);
        Assert.Contains("memoryfabric_cumulative_total 5\n", h.Scrape(), StringComparison.Ordinal);
        Assert.Contains("memoryfabric_cumulative_total 5\n", h.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_scrapes_are_serialized_and_consistent()
    {
        using var h = new MetricsHarness();
        var inCallback = 0;
        var overlapped = false;
        var callbacks = 0;
        h.Meter.CreateObservableGauge("memoryfabric.probe", () =>
        {
            if (Interlocked.Increment(ref inCallback) != 1)
            {
                overlapped = true;
            }

            Thread.Sleep(1);
            Interlocked.Increment(ref callbacks);
            Interlocked.Decrement(ref inCallback);
            return 1;
        });
        var counter = h.Meter.CreateCounter<long>("memoryfabric.work");
        var histogram = h.Meter.CreateHistogram<double>("memoryfabric.work.duration", unit: "s");

        const int Writers = 2, Adds = 2000, Scrapers = 6, ScrapesEach = 20;
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < Adds; i++)
            {
                counter.Add(1, new KeyValuePair<string, object?>("w", "x"));
                histogram.Record(0.01);
            }
        }));
        var scrapers = Enumerable.Range(0, Scrapers).Select(s => Task.Run(async () =>
        {
            long last = -1;
            for (var i = 0; i < ScrapesEach; i++)
            {
                var text = await h.Scraper.ScrapeAsync();
                ExpositionChecker.AssertValid(text);
                var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("memoryfabric_work_total", StringComparison.Ordinal));
                var value = line is null ? 0 : long.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                Assert.True(value >= last, $"counter went backwards: {last} -> {value}");
                last = value;
            }
        }));
        await Task.WhenAll(writers.Concat(scrapers));

        Assert.False(overlapped, "two collections ran at the same time");
        Assert.Equal(Scrapers * ScrapesEach, Volatile.Read(ref callbacks));
        var final = h.Scrape();
        Assert.Contains($"memoryfabric_work_total{{w=\"x\"}} {Writers * Adds}\n", final, StringComparison.Ordinal);
        Assert.Contains($"memoryfabric_work_duration_seconds_count {Writers * Adds}\n", final, StringComparison.Ordinal);
    }

    [Fact]
    public void Cache_duration_reuses_the_previous_exposition()
    {
        var calls = 0;
        using var h = new MetricsHarness(options: new PrometheusTextScraperOptions { CacheDuration = TimeSpan.FromHours(1) });
        h.Meter.CreateObservableCounter("memoryfabric.calls", () => Interlocked.Increment(ref calls));

        var first = h.Scrape();
        var second = h.Scrape();
        Assert.Same(first, second);
        Assert.Equal(1, calls);
    }

    [Fact]
    public void Without_cache_every_scrape_collects()
    {
        var calls = 0;
        using var h = new MetricsHarness();
        h.Meter.CreateObservableCounter("memoryfabric.calls", () => Interlocked.Increment(ref calls));

        Assert.Contains("memoryfabric_calls_total 1\n", h.Scrape(), StringComparison.Ordinal);
        Assert.Contains("memoryfabric_calls_total 2\n", h.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scraping_after_the_provider_is_disposed_throws()
    {
        var h = new MetricsHarness();
        h.Meter.CreateCounter<long>("memoryfabric.gone").Add(1);
        Assert.NotEmpty(h.Scrape());
        h.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => h.Scraper.ScrapeAsync());
    }

    [Fact]
    public async Task Scraper_not_yet_registered_with_a_provider_returns_empty_exposition()
    {
        var scraper = new PrometheusTextScraper();
        Assert.Equal(string.Empty, await scraper.ScrapeAsync());
    }

    [Fact]
    public async Task ScrapeAsync_honours_cancellation_while_waiting()
    {
        using var h = new MetricsHarness();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Scraper.ScrapeAsync(cts.Token));
    }

    [Fact]
    public async Task ScrapeAsync_returns_when_cancelled_during_a_slow_collection_and_the_next_scrape_still_works()
    {
        using var h = new MetricsHarness();
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var calls = 0;
        h.Meter.CreateObservableGauge("memoryfabric.slow", () =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(30)); // a callback stuck on something slow
            return Interlocked.Increment(ref calls);
        });

        using var cts = new CancellationTokenSource();
        var scrape = h.Scraper.ScrapeAsync(cts.Token);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)), "the collection started");
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scrape.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"the cancelled scrape returned after {stopwatch.Elapsed}");

        // A scrape behind the stuck collection waits for it without a thread and honours its own token.
        using var second = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Scraper.ScrapeAsync(second.Token));

        release.Set();
        Assert.Contains("memoryfabric_slow 2\n", await h.Scraper.ScrapeAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Extension_method_registers_the_reader()
    {
        var meterName = "TelemetryTests.Ext." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        using var provider = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
            .AddMeter(meterName)
            .AddPrometheusTextExporter(out var scraper)
            .Build();
        meter.CreateCounter<long>("memoryfabric.ext").Add(4);

        Assert.Equal("# TYPE memoryfabric_ext_total counter\nmemoryfabric_ext_total 4\n", await scraper.ScrapeAsync());
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", PrometheusTextScraper.ContentType);
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
