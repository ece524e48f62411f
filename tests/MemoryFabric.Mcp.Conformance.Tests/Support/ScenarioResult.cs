using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MemoryFabric.Mcp.Conformance.Tests.Support;

/// <summary>One scenario's checks as the suite saved them (<c>-o DIR</c>: <c>DIR/server-SCENARIO-TIMESTAMP/checks.json</c>).
/// A scenario failed when a check is a FAILURE or a WARNING, as the suite's baseline evaluation counts it.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Checks">Its checks: id, status and error message.</param>
internal sealed partial record ScenarioResult(string Scenario, IReadOnlyList<(string Id, string Status, string? Error)> Checks)
{
    public bool Passed => Checks.Count > 0 && Checks.All(c => c.Status is not ("FAILURE" or "WARNING"));

    /// <summary>The scenarios of a run, by name.</summary>
    public static IReadOnlyDictionary<string, ScenarioResult> ReadAll(string outputDirectory)
    {
        var results = new SortedDictionary<string, ScenarioResult>(StringComparer.Ordinal);
        if (!Directory.Exists(outputDirectory))
        {
            return results;
        }

        foreach (var dir in Directory.EnumerateDirectories(outputDirectory))
        {
            var name = ResultDirectory().Match(Path.GetFileName(dir));
            var file = Path.Combine(dir, "checks.json");
            if (!name.Success || !File.Exists(file))
            {
                continue;
            }

            using var json = JsonDocument.Parse(File.ReadAllText(file));
            var checks = json.RootElement.EnumerateArray()
                .Select(c => (
                    c.GetProperty("id").GetString() ?? "?",
                    c.GetProperty("status").GetString() ?? "?",
                    Message(c)))
                .ToList();
            var scenario = name.Groups["scenario"].Value;
            results[scenario] = new ScenarioResult(scenario, checks);
        }

        return results;
    }

    /// <summary>One line per scenario (PASS, or FAIL with its failed checks), and whether the baseline expects it.</summary>
    public static string Table(IReadOnlyDictionary<string, ScenarioResult> results, ISet<string> baseline)
    {
        var text = new StringBuilder();
        foreach (var result in results.Values)
        {
            var verdict = (result.Passed, baseline.Contains(result.Scenario)) switch
            {
                (true, false) => "PASS",
                (true, true) => "PASS (listed in the baseline: stale entry)",
                (false, true) => "FAIL (expected: in the baseline)",
                (false, false) => "FAIL (UNEXPECTED)",
            };
            text.AppendLine($"{result.Scenario,-32} {verdict}");
            foreach (var (id, status, error) in result.Checks.Where(c => c.Status is "FAILURE" or "WARNING"))
            {
                text.AppendLine($"    {status} {id}: {error}");
            }
        }

        return text.ToString();
    }

    // The error message, or for a warning without one the message of its details.
    private static string? Message(JsonElement check) =>
        check.TryGetProperty("errorMessage", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString()
        : check.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object
            && details.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString()
        : null;

    [GeneratedRegex(@"^server-(?<scenario>.+)-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z$")]
    private static partial Regex ResultDirectory();
}
