using MemoryFabric.Mcp.Conformance.Tests.Support;

namespace MemoryFabric.Mcp.Conformance.Tests;

/// <summary>What <c>conformance-baseline.yml</c> may list: only fixture scenarios and the listings of capabilities the
/// endpoint does not declare (that part is checked against the server in <see cref="ConformanceSuiteTests"/>), each
/// with its reason; never a scenario that applies to any server.</summary>
public sealed class BaselineTests
{
    [Fact]
    public void Every_entry_is_a_fixture_or_capability_scenario_with_its_reason()
    {
        var entries = Baseline.Entries();

        Assert.NotEmpty(entries);
        Assert.Equal(entries.Count, entries.Select(e => e.Scenario).Distinct(StringComparer.Ordinal).Count());
        foreach (var (scenario, reason) in entries)
        {
            Assert.True(Baseline.FixtureScenarios.ContainsKey(scenario) || Baseline.CapabilityScenarios.ContainsKey(scenario),
                $"{scenario} needs no fixture of the suite and no undeclared capability: it must pass, not be in the baseline");
            Assert.False(string.IsNullOrWhiteSpace(reason), $"{scenario} has no reason (`- {scenario} # why`)");
        }
    }

    [Fact]
    public void No_scenario_that_applies_to_any_server_is_listed()
    {
        var listed = Baseline.Entries().Select(e => e.Scenario).ToHashSet(StringComparer.Ordinal);

        Assert.All(Baseline.MustPass, scenario => Assert.DoesNotContain(scenario, listed));
    }

    [Fact]
    public void A_fixture_entry_names_the_fixture_it_calls()
    {
        foreach (var (scenario, reason) in Baseline.Entries())
        {
            if (Baseline.FixtureScenarios.TryGetValue(scenario, out var fixture))
            {
                Assert.Contains(fixture, reason, StringComparison.Ordinal);
            }
        }
    }
}
