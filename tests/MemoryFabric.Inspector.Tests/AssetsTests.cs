using System.Net;
using System.Text.RegularExpressions;
using MemoryFabric.Inspector.Tests.Support;

namespace MemoryFabric.Inspector.Tests;

/// <summary>Without a browser: <c>/ui</c> answers with the security headers, and the page is made of this server's
/// files only (every reference is relative; the one absolute URL is the SVG namespace, which loads nothing).</summary>
[Collection(InspectorTests.Name)]
public sealed partial class AssetsTests(InspectorServer server)
{
    private const string SvgNamespace = "http://www.w3.org/2000/svg";

    [Fact]
    public async Task The_ui_answers_200_with_the_security_headers_and_references_no_other_origin()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.Address };
        var redirect = await client.GetAsync("/ui");
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.Equal("/ui/", redirect.Headers.Location?.ToString());
        AssertSecurityHeaders(redirect);

        var missing = await client.GetAsync("/ui/js/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        AssertSecurityHeaders(missing);

        // Crawl the page from index.html: every file it references, and every module those import.
        var queue = new Queue<string>(["/ui/"]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (queue.TryDequeue(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode}");
            AssertSecurityHeaders(response);
            var body = await response.Content.ReadAsStringAsync();
            var type = response.Content.Headers.ContentType?.MediaType;
            var references = path.EndsWith(".js", StringComparison.Ordinal)
                ? ImportPattern().Matches(body).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
                : path.EndsWith(".css", StringComparison.Ordinal)
                    ? CssUrlPattern().Matches(body).Select(m => m.Groups[1].Value)
                    : HtmlReferencePattern().Matches(body).Select(m => m.Groups[2].Value);
            foreach (var reference in references)
            {
                Assert.False(reference.StartsWith("//", StringComparison.Ordinal) || reference.Contains(':', StringComparison.Ordinal), $"{path} references another origin: {reference}");
                queue.Enqueue(new Uri(new Uri(server.Address, path), reference).AbsolutePath);
            }

            foreach (Match url in AbsoluteUrlPattern().Matches(body))
            {
                Assert.True(url.Value == SvgNamespace, $"{path} names an absolute URL: {url.Value}");
            }

            switch (Path.GetExtension(path))
            {
                case ".js":
                    Assert.Equal("text/javascript", type);
                    foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
                    {
                        Assert.DoesNotContain(sink, body, StringComparison.Ordinal);
                    }

                    break;
                case ".css":
                    Assert.Equal("text/css", type);
                    Assert.DoesNotContain("@import", body, StringComparison.Ordinal);
                    break;
                case ".svg":
                    Assert.Equal("image/svg+xml", type);
                    break;
                default:
                    Assert.Equal("text/html", type);
                    Assert.DoesNotContain("<style", body, StringComparison.OrdinalIgnoreCase);
                    Assert.DoesNotContain(" style=", body, StringComparison.OrdinalIgnoreCase);
                    Assert.Equal(1, Regex.Count(body, "<script", RegexOptions.IgnoreCase)); // the app module, by src: nothing inline
                    Assert.Matches("<script type=\"module\" src=\"[^\"]+\"></script>", body);
                    break;
            }
        }

        Assert.Contains("/ui/js/app.js", seen);
        Assert.Contains("/ui/inspector.css", seen);
        Assert.Contains("/ui/js/views/timeline.js", seen);
        Assert.True(seen.Count >= 15, string.Join(", ", seen));

        // Revalidation: the ETag answers 304.
        var index = await client.GetAsync("/ui/");
        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/");
        again.Headers.TryAddWithoutValidation("If-None-Match", index.Headers.ETag!.ToString());
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("style-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-eval", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [GeneratedRegex("""(src|href)="([^"#][^"]*)""")]
    private static partial Regex HtmlReferencePattern();

    [GeneratedRegex("""^import\s[^;]*?\bfrom\s+'([^']+)';|\bimport\('([^']+)'\)""", RegexOptions.Multiline)]
    private static partial Regex ImportPattern();

    [GeneratedRegex("""url\(\s*['"]?([^'")]+)""")]
    private static partial Regex CssUrlPattern();

    [GeneratedRegex("""https?://[^\s'"`)<>]+""")]
    private static partial Regex AbsoluteUrlPattern();
}
