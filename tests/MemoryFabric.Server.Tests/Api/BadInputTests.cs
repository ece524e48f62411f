using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using MemoryFabric.Server.Tests.Support;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>A corpus of bad requests: each gets a 4xx with a problem+json body, never a 5xx, and nothing stored
/// changes.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly FabricServerFactory _factory = new(new Dictionary<string, string?>
    {
        ["MemoryFabric:MaxRequestBodySize"] = "65536",
        ["MemoryFabric:MaxBatchSize"] = "50",
        ["MemoryFabric:MaxTurnTextLength"] = "2000",
    });

    public void Dispose() => _factory.Dispose();

    private static readonly byte[] InvalidUtf8 =
        [.. Encoding.UTF8.GetBytes("{\"turns\":[{\"sessionId\":\"s\",\"speaker\":\"A\",\"text\":\"bad "), 0xC3, 0x28, 0xFF, .. Encoding.UTF8.GetBytes("\",\"timestamp\":\"2024-05-01T00:00:00Z\"}]}")];

    public static TheoryData<string, string, string, string?, int> Corpus()
    {
        var data = new TheoryData<string, string, string, string?, int>();
        const string json = "application/json";
        var turns = "/v1/agents/bot/turns";
        data.Add("malformed json", "POST", turns, json, 400);
        data.Add("truncated json", "POST", turns, json, 400);
        data.Add("json null", "POST", turns, json, 400);
        data.Add("empty body", "POST", turns, json, 400);
        data.Add("array instead of object", "POST", turns, json, 400);
        data.Add("turns is a string", "POST", turns, json, 400);
        data.Add("text is a number", "POST", turns, json, 400);
        data.Add("missing text", "POST", turns, json, 400);
        data.Add("null text", "POST", turns, json, 400);
        data.Add("blank text", "POST", turns, json, 400);
        data.Add("unknown role", "POST", turns, json, 400);
        data.Add("bad timestamp", "POST", turns, json, 400);
        data.Add("empty batch", "POST", turns, json, 400);
        data.Add("batch over limit", "POST", turns, json, 400);
        data.Add("text over limit", "POST", turns, json, 400);
        data.Add("duplicate ids in batch", "POST", turns, json, 400);
        data.Add("body over limit", "POST", turns, json, 413);
        data.Add("invalid utf-8", "POST", turns, json, 400);
        data.Add("wrong content type", "POST", turns, "text/plain", 415);
        data.Add("limit as string", "POST", "/v1/agents/bot/search", json, 400);
        data.Add("search without query", "POST", "/v1/agents/bot/search", json, 400);
        data.Add("note with unknown source turn", "POST", "/v1/agents/bot/notes", json, 400);
        data.Add("note without subject", "POST", "/v1/agents/bot/notes", json, 400);
        data.Add("update unknown note", "PUT", "/v1/agents/bot/notes/n_nope", json, 404);
        data.Add("delete unknown note", "DELETE", "/v1/agents/bot/notes/n_nope", null, 404);
        data.Add("history of unknown note", "GET", "/v1/agents/bot/notes/n_nope/history", null, 404);
        data.Add("unknown agent", "GET", "/v1/agents/nobody/turns", null, 404);
        data.Add("invalid agent name", "GET", "/v1/agents/bad%20name!/turns", null, 400);
        data.Add("agent name with a final newline", "POST", "/v1/agents/tom%0A/turns", json, 400);
        data.Add("unknown route", "GET", "/v1/agents/bot/nothing-here", null, 404);
        data.Add("unknown top-level route", "GET", "/nope", null, 404);
        data.Add("wrong method", "PATCH", turns, json, 405);
        data.Add("import garbage line", "POST", "/v1/agents/bot/import", "application/x-ndjson", 400);
        data.Add("import unknown record type", "POST", "/v1/agents/bot/import", "application/x-ndjson", 400);
        data.Add("import as json", "POST", "/v1/agents/bot/import", json, 415);
        data.Add("tenant with bad id", "POST", "/v1/admin/tenants", json, 400);
        data.Add("tenant id with a final newline", "POST", "/v1/admin/tenants", json, 400);
        data.Add("key for unknown tenant", "POST", "/v1/admin/tenants/ghost/keys", json, 404);
        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task Bad_requests_get_a_4xx_problem_and_lose_nothing(string name, string method, string path, string? contentType, int expected)
    {
        using var client = await _factory.CreateTenantClientAsync("acme");
        await client.PostAsJsonAsync("/v1/agents/bot/turns", Turns.Batch(Turns.Conversation("keep", 10)));
        var before = await client.GetStringAsync("/v1/agents/bot/export");

        var sender = path.StartsWith("/v1/admin", StringComparison.Ordinal) ? _factory.CreateAdminClient() : client;
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var body = Body(name);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        var response = await sender.SendAsync(request);

        Assert.Equal(expected, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal(before, await client.GetStringAsync("/v1/agents/bot/export"));
    }

    private static byte[]? Body(string name)
    {
        static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        static string Turn(string text = "\"hello\"", string extra = "") =>
            $$"""{"sessionId":"s9","speaker":"Alice","text":{{text}},"timestamp":"2024-05-01T10:00:00Z"{{extra}}}""";
        return name switch
        {
            "malformed json" => Utf8("{\"turns\": [ {,] }"),
            "truncated json" => Utf8("{\"turns\":[" + Turn()),
            "json null" => Utf8("null"),
            "empty body" => [],
            "array instead of object" => Utf8("[" + Turn() + "]"),
            "turns is a string" => Utf8("{\"turns\":\"many\"}"),
            "text is a number" => Utf8("{\"turns\":[" + Turn("42") + "]}"),
            "missing text" => Utf8("""{"turns":[{"sessionId":"s9","speaker":"Alice","timestamp":"2024-05-01T10:00:00Z"}]}"""),
            "null text" => Utf8("{\"turns\":[" + Turn("null") + "]}"),
            "blank text" => Utf8("{\"turns\":[" + Turn("\"   \"") + "]}"),
            "unknown role" => Utf8("{\"turns\":[" + Turn(extra: ",\"role\":\"wizard\"") + "]}"),
            "bad timestamp" => Utf8("""{"turns":[{"sessionId":"s9","speaker":"Alice","text":"hi","timestamp":"yesterday"}]}"""),
            "empty batch" => Utf8("{\"turns\":[]}"),
            "batch over limit" => Utf8("{\"turns\":[" + string.Join(',', Enumerable.Range(0, 51).Select(i => Turn(extra: $",\"id\":\"x{i}\""))) + "]}"),
            "text over limit" => Utf8("{\"turns\":[" + Turn("\"" + new string('a', 2001) + "\"") + "]}"),
            "duplicate ids in batch" => Utf8("{\"turns\":[" + Turn(extra: ",\"id\":\"d\"") + "," + Turn(extra: ",\"id\":\"d\"") + "]}"),
            "body over limit" => Utf8("{\"turns\":[" + Turn("\"" + new string('a', 70_000) + "\"") + "]}"),
            "invalid utf-8" => InvalidUtf8,
            "wrong content type" => Utf8("{\"turns\":[" + Turn() + "]}"),
            "limit as string" => Utf8("""{"query":"cats","limit":"ten"}"""),
            "search without query" => Utf8("""{"limit":3}"""),
            "note with unknown source turn" => Utf8("""{"text":"A fact.","subject":"Alice","sourceTurnIds":["nope"]}"""),
            "note without subject" => Utf8("""{"text":"A fact."}"""),
            "update unknown note" => Utf8("""{"text":"A fact.","subject":"Alice"}"""),
            "wrong method" => Utf8("{}"),
            "import garbage line" => Utf8("{\"type\":\"turn\",\"turn\":" + "{\"id\":\"ok\"}\nthis is not json"),
            "import unknown record type" => Utf8("{\"type\":\"spell\"}"),
            "import as json" => Utf8("{\"type\":\"turn\"}"),
            "tenant with bad id" => Utf8("""{"id":"Bad Tenant!"}"""),
            "tenant id with a final newline" => Utf8("""{"id":"demo\n"}"""),
            "agent name with a final newline" => Utf8("""{"turns":[{"sessionId":"s1","speaker":"Tom","text":"hi","timestamp":"2024-01-01T00:00:00Z"}]}"""),
            "key for unknown tenant" => Utf8("""{"name":"x"}"""),
            _ => null,
        };
    }
}
