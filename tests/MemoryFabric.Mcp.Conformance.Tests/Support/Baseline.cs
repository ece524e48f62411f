using System.Text.RegularExpressions;

namespace MemoryFabric.Mcp.Conformance.Tests.Support;

/// <summary>The conformance suite's expected-failures file (<c>conformance-baseline.yml</c>, beside the tests) and the
/// rules for what may be in it: only scenarios of the suite (0.1.16) that need its fixtures or a capability /mcp does
/// not declare; never one that applies to any server.</summary>
internal static partial class Baseline
{
    /// <summary>The active-suite scenarios that apply to any MCP server over streamable HTTP: they must pass.</summary>
    public static readonly IReadOnlyList<string> MustPass =
    [
        "server-initialize", "ping", "tools-list", "logging-set-level", "server-sse-multiple-streams", "dns-rebinding-protection",
    ];

    /// <summary>The scenarios that call one of the suite's fixtures (a tool, resource or prompt of its reference
    /// server), by the fixture they call.</summary>
    public static readonly IReadOnlyDictionary<string, string> FixtureScenarios = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["tools-call-simple-text"] = "test_simple_text",
        ["tools-call-image"] = "test_image_content",
        ["tools-call-audio"] = "test_audio_content",
        ["tools-call-embedded-resource"] = "test_embedded_resource",
        ["tools-call-mixed-content"] = "test_multiple_content_types",
        ["tools-call-with-logging"] = "test_tool_with_logging",
        ["tools-call-error"] = "test_error_handling",
        ["tools-call-with-progress"] = "test_tool_with_progress",
        ["tools-call-sampling"] = "test_sampling",
        ["tools-call-elicitation"] = "test_elicitation",
        ["elicitation-sep1034-defaults"] = "test_elicitation_sep1034_defaults",
        ["elicitation-sep1330-enums"] = "test_elicitation_sep1330_enums",
        ["resources-read-text"] = "test://static-text",
        ["resources-read-binary"] = "test://static-binary",
        ["resources-templates-read"] = "test://template/{id}/data",
        ["resources-subscribe"] = "test://watched-resource",
        ["resources-unsubscribe"] = "test://watched-resource",
        ["prompts-get-simple"] = "test_simple_prompt",
        ["prompts-get-with-args"] = "test_prompt_with_arguments",
        ["prompts-get-embedded-resource"] = "test_prompt_with_embedded_resource",
        ["prompts-get-with-image"] = "test_prompt_with_image",
    };

    /// <summary>The scenarios that use a server capability, by the capability (its key in the <c>initialize</c>
    /// result's <c>capabilities</c>): allowed in the baseline only while /mcp does not declare it.</summary>
    public static readonly IReadOnlyDictionary<string, string> CapabilityScenarios = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["resources-list"] = "resources",
        ["prompts-list"] = "prompts",
        ["completion-complete"] = "completions",
    };

    /// <summary>The file the suite is given.</summary>
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "conformance-baseline.yml");

    /// <summary>The file's <c>server</c> entries, each with the reason its line gives (after <c>#</c>), in order.</summary>
    public static IReadOnlyList<(string Scenario, string Reason)> Entries()
    {
        var entries = new List<(string, string)>();
        var inServer = false;
        foreach (var line in File.ReadLines(FilePath))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && !line.StartsWith('#'))
            {
                inServer = line.TrimEnd() == "server:";
                Assert.True(inServer, $"the baseline has only a server list; unexpected line: {line}");
                continue;
            }

            var entry = Entry().Match(line);
            if (inServer && entry.Success)
            {
                entries.Add((entry.Groups["scenario"].Value, entry.Groups["reason"].Value.Trim()));
            }
        }

        return entries;
    }

    [GeneratedRegex(@"^\s+-\s+(?<scenario>[a-z0-9-]+)\s*(#(?<reason>.*))?$")]
    private static partial Regex Entry();
}
