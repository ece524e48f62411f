using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MemoryFabric.Serialization;
using MemoryFabric.Server.Tests.Support;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>No identifier with a control character gets in or out: every route parameter of every route (enumerated
/// from the app, so a new route is covered without a line here), the session query parameter, and every identifier a
/// body carries (turn, session, speaker, note, lineage and source-turn ids, key names, tenant ids) answer 400
/// problem+json and store nothing.</summary>
public sealed class IdentifierTests : IDisposable
{
    private readonly FabricServerFactory _factory = new();

    public void Dispose() => _factory.Dispose();

    /// <summary>Percent-encoded control characters as they arrive in a path: LF, CR, TAB, DEL, NEL (U+0085) and the
    /// line separator U+2028.</summary>
    public static TheoryData<string> EncodedControls() => new() { "%0A", "%0D", "%09", "%7F", "%C2%85", "%E2%80%A8" };

    /// <summary>Control characters as they arrive in a JSON string.</summary>
    public static TheoryData<string> JsonControls() => new() { "\\n", "\\r", "\\u0000", "\\u007f", "\\u0085", "\\u2028" };

    [Theory]
    [MemberData(nameof(EncodedControls))]
    public async Task Every_route_parameter_of_every_route_refuses_a_control_character(string control)
    {
        using var tenant = await _factory.CreateTenantClientAsync("acme");
        using var admin = _factory.CreateAdminClient();
        await tenant.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("keep", 4)));
        var before = await tenant.GetStringAsync("/v1/agents/bot/export");

        var routes = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true && e.RoutePattern.Parameters.Count > 0)
            .ToList();
        Assert.True(routes.Count >= 15, $"only {routes.Count} parameterised /v1 routes found");

        var checkedCases = 0;
        foreach (var route in routes)
        {
            var method = route.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods ? methods[0] : "GET";
            foreach (var bad in route.RoutePattern.Parameters)
            {
                var path = Path(route.RoutePattern, bad.Name, "x" + control);
                var sender = path.StartsWith("/v1/admin", StringComparison.Ordinal) ? admin : tenant;
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                var response = await sender.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} {path}: {(int)response.StatusCode} {body}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                checkedCases++;
            }
        }

        Assert.True(checkedCases >= 20, $"only {checkedCases} route parameters checked");
        Assert.Equal(before, await tenant.GetStringAsync("/v1/agents/bot/export"));
    }

    [Theory]
    [MemberData(nameof(EncodedControls))]
    public async Task The_session_query_parameter_refuses_a_control_character(string control)
    {
        using var tenant = await _factory.CreateTenantClientAsync("acme");
        await tenant.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("keep", 2)));

        var response = await tenant.GetAsync("/v1/agents/bot/turns?session=s1" + control);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("session", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(JsonControls))]
    public async Task A_turn_with_a_control_character_in_its_id_session_or_speaker_is_refused_and_nothing_is_stored(string control)
    {
        using var tenant = await _factory.CreateTenantClientAsync("acme");
        await tenant.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("keep", 2)));
        var before = await tenant.GetStringAsync("/v1/agents/bot/export");

        foreach (var (field, expected) in new[] { ("id", "id"), ("sessionId", "session id"), ("speaker", "speaker") })
        {
            var turn = new Dictionary<string, string>
            {
                ["id"] = "t-new",
                ["sessionId"] = "s2",
                ["speaker"] = "Alice",
                ["text"] = "A turn that must not be stored.",
                ["timestamp"] = "2024-05-02T10:00:00Z",
            };
            var json = JsonSerializer.Serialize(new { turns = new[] { turn } }).Replace($"\"{field}\":\"{turn[field]}\"", $"\"{field}\":\"{turn[field]}{control}\"", StringComparison.Ordinal);
            Assert.Contains(control, json, StringComparison.Ordinal);

            var response = await tenant.PostAsync("/v1/agents/bot/turns", new StringContent(json, Encoding.UTF8, "application/json"));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
            Assert.Contains(expected, detail, StringComparison.Ordinal);
            Assert.Contains("control character", detail, StringComparison.Ordinal);
        }

        Assert.Equal(before, await tenant.GetStringAsync("/v1/agents/bot/export"));
    }

    [Theory]
    [InlineData("turn", "\"id\":\"keep-0\"", "\"id\":\"keep-0\\n\"")]
    [InlineData("turn", "\"sessionId\":\"s1\"", "\"sessionId\":\"s1\\r\"")]
    [InlineData("note", "\"id\":\"", "\"id\":\"\\u0000")]
    [InlineData("note", "\"lineageId\":\"", "\"lineageId\":\"\\u2028")]
    public async Task An_import_with_a_control_character_in_an_id_is_refused_and_nothing_is_stored(string type, string find, string replace)
    {
        using var tenant = await _factory.CreateTenantClientAsync("acme");
        await tenant.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("keep", 2)));
        (await tenant.PostAsJsonAsync("/v1/agents/bot/notes", new { text = "Alice lives in Lisbon.", subject = "Alice" }, MemoryFabricJson.Options)).EnsureSuccessStatusCode();
        var export = await tenant.GetStringAsync("/v1/agents/bot/export");
        var lines = export.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.FindIndex(lines, l => l.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal) && l.Contains(find, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no {type} line with {find} in the export:\n{export}");
        var at = lines[index].IndexOf(find, StringComparison.Ordinal);
        lines[index] = lines[index][..at] + replace + lines[index][(at + find.Length)..];

        var response = await tenant.PostAsync("/v1/agents/copy/import", new StringContent(string.Join('\n', lines) + "\n", Encoding.UTF8, "application/x-ndjson"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("control character", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var copy = await tenant.GetAsync("/v1/agents/copy/export");
        Assert.True(copy.StatusCode == HttpStatusCode.NotFound || (await copy.Content.ReadAsStringAsync()).Length == 0, await copy.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(JsonControls))]
    public async Task A_key_name_or_tenant_id_with_a_control_character_is_refused(string control)
    {
        using var admin = _factory.CreateAdminClient();
        (await admin.PostAsync("/v1/admin/tenants", Json("{\"id\":\"acme\"}"))).EnsureSuccessStatusCode();
        var keysBefore = await admin.GetStringAsync("/v1/admin/tenants/acme/keys");

        var key = await admin.PostAsync("/v1/admin/tenants/acme/keys", Json($"{{\"name\":\"ci{control}bot\"}}"));
        var tenant = await admin.PostAsync("/v1/admin/tenants", Json($"{{\"id\":\"demo{control}\"}}"));

        Assert.Equal(HttpStatusCode.BadRequest, key.StatusCode);
        Assert.Contains("key name", await key.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tenant.StatusCode);
        Assert.Equal(keysBefore, await admin.GetStringAsync("/v1/admin/tenants/acme/keys"));
        Assert.DoesNotContain("demo", await admin.GetStringAsync("/v1/admin/tenants"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_export_names_its_file_through_the_header_type()
    {
        using var tenant = await _factory.CreateTenantClientAsync("acme");
        await tenant.PostAsJsonAsync("/v1/agents/user@example.com/turns", Turns.Batch(Turns.Conversation("keep", 1)));

        var response = await tenant.GetAsync("/v1/agents/user@example.com/export");

        response.EnsureSuccessStatusCode();
        var disposition = response.Content.Headers.ContentDisposition;
        Assert.NotNull(disposition);
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Equal("user@example.com.jsonl", disposition.FileName?.Trim('"'));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Path(RoutePattern pattern, string badParameter, string badValue)
    {
        var builder = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            builder.Append('/');
            foreach (var part in segment.Parts)
            {
                builder.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternParameterPart parameter when parameter.Name == badParameter => badValue,
                    RoutePatternParameterPart parameter => parameter.Name switch
                    {
                        "agent" => "bot",
                        "tenant" => "acme",
                        "group" => "team",
                        _ => "id1",
                    },
                    RoutePatternSeparatorPart separator => separator.Content,
                    _ => throw new InvalidOperationException($"unexpected route part {part}"),
                });
            }
        }

        return builder.ToString();
    }
}
