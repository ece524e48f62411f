using System.Text;
using MemoryFabric.VectorIndex.Snapshots;
using MemoryFabric.VectorIndex.Storage;

namespace MemoryFabric.VectorIndex.Tests;

public sealed class HashingTests
{
    [Theory]
    [InlineData("", 0xEF46DB3751D8E999UL)]
    [InlineData("a", 0xD24EC4F1A98C6E5BUL)]
    [InlineData("abc", 0x44BC2CF5AD770999UL)]
    public void XxHash64_matches_the_reference(string text, ulong expected) =>
        Assert.Equal(expected, XxHash64.Hash(Encoding.ASCII.GetBytes(text)));

    [Fact]
    public void Streaming_equals_one_shot()
    {
        var data = new byte[1000];
        new Random(1).NextBytes(data);
        foreach (var split in new[] { 1, 7, 31, 32, 33, 100, 999 })
        {
            var hash = new XxHash64(3);
            hash.Append(data.AsSpan(0, split));
            hash.Append(data.AsSpan(split));
            Assert.Equal(XxHash64.Hash(data, 3), hash.Digest());
        }
    }

    [Fact]
    public void The_key_table_finds_every_key_after_growth()
    {
        var table = new KeyTable();
        var keys = Enumerable.Range(0, 20_000).Select(i => i % 3 == 0 ? $"tenant/agent-{i}/note/ünïcødé-{i}" : $"k{i}").ToList();
        table.EnsureCapacity(keys.Count);
        for (var slot = 0; slot < keys.Count; slot++)
        {
            var utf8 = Encoding.UTF8.GetBytes(keys[slot]);
            table.Write(slot, utf8, KeyTable.Hash(utf8));
            table.Map(slot, slot + 1);
        }

        for (var slot = 0; slot < keys.Count; slot++)
        {
            Assert.Equal(slot, table.Find(keys[slot], keys.Count));
            Assert.Equal(keys[slot], table.Key(slot));
        }

        Assert.Equal(-1, table.Find("absent", keys.Count));
        Assert.Equal(-1, table.Find(keys[^1], keys.Count - 1));
    }
}
