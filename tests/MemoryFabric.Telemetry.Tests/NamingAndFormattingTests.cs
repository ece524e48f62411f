namespace MemoryFabric.Telemetry.Tests;

public class NamingAndFormattingTests
{
    [Theory]
    [InlineData("memoryfabric.requests", "memoryfabric_requests")]
    [InlineData("http.server.request-duration", "http_server_request_duration")]
    [InlineData("9lives", "_9lives")]
    [InlineData("a..b--c", "a_b_c")]
    [InlineData("ns:metric", "ns:metric")]
    [InlineData("héllo wörld", "h_llo_w_rld")]
    [InlineData("", "_")]
    public void Metric_names_are_sanitized(string input, string expected)
    {
        Assert.Equal(expected, PrometheusTextSerializer.SanitizeName(input, allowColon: true));
    }

    [Theory]
    [InlineData("http.route", "http_route")]
    [InlineData("ns:key", "ns_key")]
    [InlineData("1st", "_1st")]
    public void Label_names_are_sanitized(string input, string expected)
    {
        Assert.Equal(expected, PrometheusTextSerializer.SanitizeName(input, allowColon: false));
    }

    [Theory]
    [InlineData("s", "seconds")]
    [InlineData("ms", "milliseconds")]
    [InlineData("By", "bytes")]
    [InlineData("KiBy", "kibibytes")]
    [InlineData("1", "")]
    [InlineData("{request}", "")]
    [InlineData("{packet}/s", "per_second")]
    [InlineData("By/s", "bytes_per_second")]
    [InlineData("m/min", "meters_per_minute")]
    [InlineData("%", "percent")]
    [InlineData("{item}By", "bytes")]
    [InlineData(" ", "")]
    [InlineData(null, "")]
    public void Units_map_to_prometheus_suffixes(string? unit, string expected)
    {
        Assert.Equal(expected, PrometheusTextSerializer.GetUnitSuffix(unit));
    }

    [Theory]
    [InlineData("memoryfabric.search.duration", "s", "histogram", "memoryfabric_search_duration_seconds")]
    [InlineData("memoryfabric.requests", "{request}", "counter", "memoryfabric_requests_total")]
    [InlineData("memoryfabric.requests_total", "{request}", "counter", "memoryfabric_requests_total")]
    [InlineData("memoryfabric.io.time", "s", "counter", "memoryfabric_io_time_seconds_total")]
    [InlineData("memoryfabric.io_seconds_total", "s", "counter", "memoryfabric_io_seconds_total")]
    [InlineData("memoryfabric.payload_bytes", "By", "gauge", "memoryfabric_payload_bytes")]
    [InlineData("memoryfabric.cache.hit_ratio", "1", "gauge", "memoryfabric_cache_hit_ratio")]
    [InlineData("memoryfabric.rpc.latency", "ms", "histogram", "memoryfabric_rpc_latency_milliseconds")]
    [InlineData("seconds", "s", "gauge", "seconds")]
    [InlineData("memoryfabric.queue", null, "gauge", "memoryfabric_queue")]
    public void Metric_names_get_unit_and_type_suffixes(string name, string? unit, string type, string expected)
    {
        Assert.Equal(expected, PrometheusTextSerializer.GetMetricName(name, unit, type));
    }

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.1, "0.1")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(1e21, "1E+21")]
    [InlineData(5e-5, "5E-05")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    public void Doubles_are_formatted_invariantly(double value, string expected)
    {
        Assert.Equal(expected, PrometheusTextSerializer.FormatDouble(value));
    }

    [Fact]
    public void Doubles_round_trip_under_any_culture()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            var value = 0.1 + 0.2;
            var text = PrometheusTextSerializer.FormatDouble(value);
            Assert.Equal("0.30000000000000004", text);
            Assert.Equal(value, double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Label_values_and_help_are_escaped()
    {
        Assert.Equal("a\\\\b \\\"q\\\" x\\ny", PrometheusTextSerializer.EscapeLabelValue("a\\b \"q\" x\ny"));
        Assert.Equal("a\\\\b \"q\" x\\ny", PrometheusTextSerializer.EscapeHelp("a\\b \"q\" x\ny"));
    }

    [Fact]
    public void Checker_rejects_malformed_exposition()
    {
        Assert.Empty(ExpositionChecker.Validate("# TYPE a counter\na_total 1\n".Replace("a_total", "a", StringComparison.Ordinal)));
        Assert.NotEmpty(ExpositionChecker.Validate("# TYPE a gauge\na 1"));                      // no trailing \n
        Assert.NotEmpty(ExpositionChecker.Validate("a 1\n"));                                    // no TYPE
        Assert.NotEmpty(ExpositionChecker.Validate("# TYPE a gauge\na{b=\"x\"y\"} 1\n"));       // unescaped quote
        Assert.NotEmpty(ExpositionChecker.Validate("# TYPE a gauge\na 1,5\n"));                  // culture-formatted value
        Assert.NotEmpty(ExpositionChecker.Validate("# TYPE a gauge\n# TYPE a gauge\na 1\n"));    // duplicate TYPE
        Assert.NotEmpty(ExpositionChecker.Validate("# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n")); // not contiguous
        Assert.NotEmpty(ExpositionChecker.Validate("# TYPE a-b gauge\n"));                       // bad name
        Assert.NotEmpty(ExpositionChecker.Validate("# TYPE h histogram\nh_bucket 1\n"));         // bucket without le
    }
}
