using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace MemoryFabric.Telemetry.Tests;

public class AspNetCoreEndToEndTests
{
    /// <summary>
    /// The server's intended wiring, on Kestrel bound to 127.0.0.1: ASP.NET Core's own
    /// http.server.request.duration (recorded in seconds, with advised buckets) must come out with
    /// seconds buckets and the exact Prometheus content type.
    /// </summary>
    [Fact]
    public async Task Metrics_endpoint_serves_aspnetcore_request_duration_in_seconds_buckets()
    {
        var scraper = new PrometheusTextScraper();
        using var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter("MemoryFabric.*", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddReader(scraper.Reader)
            .Build();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapGet("/hello", () => "hi");
        app.MapGet("/metrics", async (CancellationToken ct) =>
            Results.Text(await scraper.ScrapeAsync(ct), PrometheusTextScraper.ContentType));
        await app.StartAsync();

        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(10) };
        Assert.Equal("hi", await http.GetStringAsync(new Uri("/hello", UriKind.Relative)));

        // The duration is recorded just after the response completes; poll briefly (bounded).
        string body = string.Empty;
        HttpResponseMessage? response = null;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            response?.Dispose();
            response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
            body = await response.Content.ReadAsStringAsync();
            if (body.Contains("http_route=\"/hello\"", StringComparison.Ordinal))
            {
                break;
            }

            await Task.Delay(100);
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response!.StatusCode);
            Assert.Equal(PrometheusTextScraper.ContentType, response.Content.Headers.ContentType!.ToString());
        }

        ExpositionChecker.AssertValid(body);
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram\n", body, StringComparison.Ordinal);
        var hello = body.Split('\n')
            .Where(l => l.StartsWith("http_server_request_duration_seconds_bucket{", StringComparison.Ordinal)
                        && l.Contains("http_route=\"/hello\"", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(hello, l => l.Contains("le=\"0.005\"", StringComparison.Ordinal));
        Assert.Contains(hello, l => l.Contains("le=\"10\"", StringComparison.Ordinal));
        Assert.DoesNotContain(hello, l => l.Contains("le=\"10000\"", StringComparison.Ordinal));
        Assert.Contains(hello, l => l.Contains("http_response_status_code=\"200\"", StringComparison.Ordinal) && l.Contains("le=\"+Inf\"} 1", StringComparison.Ordinal));

        await app.StopAsync();
    }
}
