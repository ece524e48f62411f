using MemoryFabric.Evaluation.Metrics;

namespace MemoryFabric.Evaluation.Tests.Metrics;

public class EvidenceIdsTests
{
    [Theory]
    [InlineData("D1:3", "D1:3")]
    [InlineData(" D1:3 ", "D1:3")]
    [InlineData("D:11:26", "D11:26")]
    [InlineData("D 3 : 4", "D3:4")]
    [InlineData("D10:19", "D10:19")]
    public void Reads_locomo_ids_leniently(string raw, string expected)
    {
        Assert.Equal([expected], EvidenceIds.ParseOne(raw));
    }

    [Fact]
    public void Splits_ids_joined_by_a_semicolon()
    {
        Assert.Equal(["D8:6", "D9:17"], EvidenceIds.ParseOne("D8:6; D9:17"));
    }

    [Theory]
    [InlineData("D")]
    [InlineData("D12")]
    [InlineData("D1:")]
    [InlineData("D:")]
    [InlineData("D1:2:3")]
    [InlineData("   ")]
    [InlineData("")]
    [InlineData(null)]
    public void Drops_malformed_locomo_ids(string? raw)
    {
        Assert.Empty(EvidenceIds.ParseOne(raw));
    }

    [Theory]
    [InlineData("s1:3", "s1:3")]
    [InlineData("  turn-42 ", "turn-42")]
    [InlineData("Day2/7", "Day2/7")]
    public void Keeps_other_ids_verbatim_trimmed(string raw, string expected)
    {
        Assert.Equal([expected], EvidenceIds.ParseOne(raw));
    }

    [Fact]
    public void Parses_a_list_dropping_the_unreadable_and_the_repeated()
    {
        var ids = EvidenceIds.Parse(["D1:3", "D", "D:11:26", "D8:6; D9:17", "D1:3", " D11:26"]);

        Assert.Equal(["D1:3", "D11:26", "D8:6", "D9:17"], ids);
    }
}
