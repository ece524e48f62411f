using System.Net.Http.Json;

namespace MemoryFabric.Server.Tests.Support;

/// <summary>The API side of the checks that forgotten text is gone: a search that finds it while it is stored, and
/// the assertion that no endpoint of the agent shows it (search, context, turns, episodes, notes with their history,
/// export) once it is forgotten. The file side is <see cref="DataFiles"/>.</summary>
/// <param name="Agent">The agent holding the text.</param>
/// <param name="Secret">A distinctive word of the text.</param>
/// <param name="SearchQuery">A search that finds the text while it is stored.</param>
/// <param name="ContextQuery">A context query about the text.</param>
/// <param name="TurnId">The id of the turn that held it (absent from every listing once forgotten).</param>
public sealed record ForgottenText(string Agent, string Secret, string SearchQuery, string ContextQuery, string TurnId)
{
    /// <summary>The body of a successful search for <see cref="SearchQuery"/> (50 hits at most).</summary>
    /// <param name="client">A client with read access.</param>
    /// <returns>The response body.</returns>
    public async Task<string> SearchAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync($"/v1/agents/{Agent}/search", new { query = SearchQuery, limit = 50 });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"search: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>Asserts that no endpoint of the agent shows the secret or the turn's id.</summary>
    /// <param name="client">A client with read access.</param>
    /// <returns>A task.</returns>
    public async Task AssertGoneAsync(HttpClient client)
    {
        Assert.DoesNotContain(Secret, await SearchAsync(client), StringComparison.OrdinalIgnoreCase);
        var context = await client.PostAsJsonAsync($"/v1/agents/{Agent}/context", new { query = ContextQuery });
        Assert.DoesNotContain(Secret, await context.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        foreach (var path in new[] { "turns", "episodes", "notes?includeInactive=true", "export" })
        {
            var body = await client.GetStringAsync($"/v1/agents/{Agent}/{path}");
            Assert.DoesNotContain(Secret, body, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain($"\"{TurnId}\"", body, StringComparison.Ordinal);
        }
    }
}
