using R1.Models;

namespace R1.Tests.Models;

public class TokenizerTests
{
    static readonly Tokenizer Tok = Tokenizer.FromTexts(["<think>12+30=42</think><answer>42</answer>", "小明每小时走3公里"]);

    [Fact]
    public void SpecialsHaveFixedIdsAndPadIsZero()
    {
        Assert.Equal(0, Tok.PadId);
        Assert.Equal(["<pad>", "<bos>", "<eos>", "<think>", "</think>", "<answer>", "</answer>"], Tok.Tokens.Take(7));
        Assert.Equal(3, Tok.TokenToId("<think>"));
        Assert.Equal(6, Tok.AnswerEndId);
    }

    [Fact]
    public void VocabularyIsSpecialsThenSortedCharacters()
    {
        var tok = Tokenizer.FromTexts(["cab<eos>", "b"], includeAsciiPrintable: false);
        // "<eos>" is a special, so its letters do not enter the alphabet.
        Assert.Equal(7 + 3, tok.VocabSize);
        Assert.Equal(["a", "b", "c"], tok.Tokens.Skip(7));
        Assert.Equal([1, 9, 7, 8, 2], tok.Encode("cab", addBos: true, addEos: true));
    }

    [Fact]
    public void SpecialsEncodeAsSingleTokensAndRoundTrip()
    {
        var text = "<think>小明 3 公里</think><answer>42</answer>";
        var ids = Tok.Encode(text);
        Assert.Equal(Tok.ThinkId, ids[0]);
        Assert.Equal(Tok.AnswerEndId, ids[^1]);
        Assert.Equal(4 + 7 + 2, ids.Length); // 4 specials, 7 + 2 characters
        Assert.Equal(text, Tok.Decode(ids));
        Assert.Equal("小明 3 公里42", Tok.Decode(ids, skipSpecial: true));
    }

    [Fact]
    public void LessThanThatIsNotASpecialIsAPlainCharacter()
    {
        var text = "a<b <think <answer>";
        var ids = Tok.Encode(text);
        Assert.Equal(text, Tok.Decode(ids));
        Assert.Equal(Tok.AnswerId, ids[^1]);
        Assert.Equal(text.Length - "<answer>".Length + 1, ids.Length);
    }

    [Fact]
    public void CharactersOutsideTheBmpAreOneToken()
    {
        var tok = Tokenizer.FromTexts(["x😀y"]);
        var ids = tok.Encode("😀");
        Assert.Single(ids);
        Assert.Equal("😀", tok.Decode(ids));
    }

    [Fact]
    public void UnknownCharacterErrorNamesItsCodePointAndPosition()
    {
        var e = Assert.Throws<ArgumentException>(() => Tok.Encode("ab天"));
        Assert.Contains("'天' (U+5929) at position 2", e.Message);
    }

    [Fact]
    public void OutOfRangeIdIsAClearError()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([5, Tok.VocabSize]));
        Assert.Contains($"Token id {Tok.VocabSize} at position 1 is out of range", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Tok.Decode([-1]));
    }

    [Fact]
    public void JsonRoundTripKeepsEveryId()
    {
        var back = Tokenizer.FromJson(Tok.ToJson());
        Assert.Equal(Tok.Tokens, back.Tokens);
        Assert.Contains("小", Tok.ToJson()); // readable, not \u-escaped
        var path = Path.Combine(Path.GetTempPath(), $"tok-{Guid.NewGuid():N}.json");
        try
        {
            Tok.Save(path);
            Assert.Equal(Tok.Tokens, Tokenizer.Load(path).Tokens);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void MalformedJsonIsRejected()
    {
        Assert.Throws<FormatException>(() => Tokenizer.FromJson("{"));
        var e = Assert.Throws<FormatException>(() => Tokenizer.FromJson("""{"type":"char","specials":["<pad>"],"chars":["a"]}"""));
        Assert.Contains("specials", e.Message);
        e = Assert.Throws<FormatException>(() => Tokenizer.FromJson("""{"type":"char","specials":["<pad>","<bos>","<eos>","<think>","</think>","<answer>","</answer>"],"chars":["b","a"]}"""));
        Assert.Contains("ordinal order", e.Message);
    }
}
