using System.Text;

namespace MemoryFabric.Evaluation.Synthetic;

/// <summary>Turns a message template into chat: lower case, abbreviations, typos, emoji, laughter. Only the
/// template's own words change; <c>{slot}</c> values are filled in afterwards and kept exactly, so that every answer
/// stays stated in its evidence.</summary>
internal static class ChatStyle
{
    /// <summary>Chat-styles the template, then fills its slots.</summary>
    public static string Say(SeededRandom random, string template, params (string Key, string Value)[] slots)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(template);
        var text = template;
        foreach (var (word, forms) in Vocabulary.Abbreviations)
        {
            if (random.Chance(0.5) && text.Contains(word, StringComparison.Ordinal))
            {
                text = ReplaceWord(text, word, random.Pick(forms));
            }
        }

        text = Typos(random, text);
        if (random.Chance(0.7) && text.Length > 0 && text[0] != '{' && text[0] != '[')
        {
            text = char.ToLowerInvariant(text[0]) + text[1..];
        }

        text = Templates.Fill(text, slots);
        var roll = random.NextDouble();
        if (roll < 0.25)
        {
            text += " " + random.Pick(Vocabulary.Emoji);
        }
        else if (roll < 0.35)
        {
            text += " " + random.Choose("lol", "haha", "lmao", "ngl", "tbh");
        }
        else if (roll < 0.45)
        {
            text += random.Choose("!!", "!!!", "...", "??", " 🙃");
        }

        return text;
    }

    private static string ReplaceWord(string text, string word, string replacement)
    {
        var index = text.IndexOf(word, StringComparison.Ordinal);
        var before = index == 0 || !char.IsLetter(text[index - 1]);
        var after = index + word.Length >= text.Length || !char.IsLetter(text[index + word.Length]);
        return before && after ? string.Concat(text.AsSpan(0, index), replacement, text.AsSpan(index + word.Length)) : text;
    }

    // One typo in about one word of twenty-five (of four letters or more, never inside a {slot}).
    private static string Typos(SeededRandom random, string text)
    {
        var sb = new StringBuilder(text.Length + 4);
        var words = text.Split(' ');
        for (var w = 0; w < words.Length; w++)
        {
            var word = words[w];
            if (w > 0)
            {
                sb.Append(' ');
            }

            if (word.Length < 4 || word.Contains('{', StringComparison.Ordinal) || word.Contains('[', StringComparison.Ordinal) || !word.All(char.IsLetter) || !random.Chance(0.04))
            {
                sb.Append(word);
                continue;
            }

            var i = random.Next(1, word.Length - 1);
            switch (random.Next(3))
            {
                case 0:
                    sb.Append(word, 0, i).Append(word[i + 1]).Append(word[i]).Append(word, i + 2, word.Length - i - 2);
                    break;
                case 1:
                    sb.Append(word, 0, i).Append(word, i + 1, word.Length - i - 1);
                    break;
                default:
                    sb.Append(word, 0, i + 1).Append(word[i]).Append(word, i + 1, word.Length - i - 1);
                    break;
            }
        }

        return sb.ToString();
    }
}
