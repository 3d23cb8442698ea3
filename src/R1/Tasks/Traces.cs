namespace R1.Tasks;

/// <summary>How a completion is written (the pretraining corpus mixes these; cold-start SFT can reuse them).</summary>
public enum TraceStyle
{
    /// <summary>"&lt;answer&gt;432&lt;/answer&gt;" — a direct guess.</summary>
    Answer,
    /// <summary>"&lt;think&gt;it is 432.&lt;/think&gt;&lt;answer&gt;432&lt;/answer&gt;" — a guess in the right format.</summary>
    ShortThought,
    /// <summary>Digit-by-digit work (or Countdown trial and error) in the problem's language, correct.</summary>
    Steps,
    /// <summary>Steps with one slip that is caught: "4+8+1=12. wait, 4+8+1 is 13, not 12. …".</summary>
    SelfCorrection,
    /// <summary>Steps followed by a check: "let me check: 432-85=347, ok.".</summary>
    Verification,
    /// <summary>Steps in the other language, either throughout or switching part-way.</summary>
    MixedLanguage,
    /// <summary>A bare guess with no tags: "432".</summary>
    PlainAnswer,
    /// <summary>Steps with no tags, then "so 432".</summary>
    PlainSteps,
}

/// <summary>
/// Writes completions (the text after the prompt) for an example in a given <see cref="TraceStyle"/>.
/// Work is shown digit by digit, carrying the partial result along so the final answer is a copy, not a lookup:
/// <code>347+85 → 7+5=12, carry 1, got 2. 4+8+1=13, carry 1, got 32. 3+0+1=4, got 432.
/// 347-85 → 7-5=2, borrow 0, got 2. 14-8-0=6, borrow 1, got 62. 3-0-1=2, got 262.
/// 47*6   → 7*6=42, carry 4, got 2. 4*6+4=28, got 282.
/// 中文   → 7+5=12，进1，得2。4+8+1=13，进1，得32。3+0+1=4，得432。
/// make 46 from 3 7 25 → 25+7+3=35, no. 25+3*7=46, yes.</code>
/// Step styles are always right in the end; guess styles are right only when <c>correct</c> is true.
/// </summary>
public static class Traces
{
    public static string Write(Example example, TraceStyle style, Rng rng, bool correct = true)
    {
        ArgumentNullException.ThrowIfNull(example);
        bool zh = example.Language == "zh";
        bool countdown = example.Target is not null;
        switch (style)
        {
            case TraceStyle.Answer:
                return Tag("answer", Guess(example, rng, correct));
            case TraceStyle.ShortThought:
                {
                    var g = Guess(example, rng, correct);
                    var thought = countdown ? $"try {g}." : zh ? $"是{g}。" : $"it is {g}.";
                    return Tag("think", thought) + Tag("answer", g);
                }
            case TraceStyle.PlainAnswer:
                return Guess(example, rng, correct);
            case TraceStyle.PlainSteps:
                return Join(Segments(example, rng, style), example.Language) + (zh ? $"所以{example.Answer}" : $" so {example.Answer}");
            case TraceStyle.MixedLanguage:
                {
                    var segs = Segments(example, rng, style);
                    string other = zh ? "en" : "zh";
                    // Half the time the whole thought is in the other language, else it switches part-way.
                    int switchAt = segs.Count < 2 || rng.Chance(0.5) ? 0 : rng.NextInt(1, segs.Count - 1);
                    var langs = Enumerable.Range(0, segs.Count).Select(i => i < switchAt ? example.Language : other).ToArray();
                    return Tag("think", Join(segs, langs)) + Tag("answer", example.Answer);
                }
            default:
                return Tag("think", Join(Segments(example, rng, style), example.Language)) + Tag("answer", example.Answer);
        }
    }

    /// <summary>A plausible wrong answer: a dropped carry or borrow, one digit off, or (word problems) the wrong operation; for Countdown, an equation that misses the target.</summary>
    public static string WrongAnswer(Example example, Rng rng)
    {
        if (example.Target is int target)
        {
            for (int i = 0; i < 20; i++)
            {
                var (e, v) = CountdownTask.RandomExpression(rng, example.Numbers);
                if (v != target) return e;
            }
            return string.Join('+', example.Numbers); // the sum differs whenever the loop failed to find a miss (vanishingly rare)
        }
        var (op, a, b) = Operation(example);
        int right = Apply(op, a, b);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            int roll = rng.NextInt(example.Task == "wordproblems" ? 3 : 2);
            int w = roll switch
            {
                0 => NoCarry(op, a, b),
                1 => DigitOff(right, rng),
                _ => Apply(rng.Pick(new[] { '+', '-', '*' }.Where(o => o != op).ToArray()), a, b),
            };
            if (w != right && w >= 0) return w.ToString();
        }
        return (right + 1).ToString();
    }

    // ---- segments: one sentence of the thought, renderable in either language ----

    sealed record Seg(string En, string Zh);

    static string Tag(string name, string body) => $"<{name}>{body}</{name}>";

    static string Guess(Example ex, Rng rng, bool correct) => correct ? ex.Answer : WrongAnswer(ex, rng);

    static string Join(List<Seg> segs, string lang) => Join(segs, Enumerable.Repeat(lang, segs.Count).ToArray());

    static string Join(List<Seg> segs, string[] langs)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < segs.Count; i++)
        {
            bool zh = langs[i] == "zh";
            if (i > 0 && !(zh && langs[i - 1] == "zh")) sb.Append(' ');
            sb.Append(zh ? segs[i].Zh : segs[i].En);
        }
        return sb.ToString();
    }

    static List<Seg> Segments(Example ex, Rng rng, TraceStyle style) =>
        ex.Target is not null ? CountdownSegments(ex, rng, style) : NumericSegments(ex, rng, style);

    // ---- numeric tasks ----

    static (char Op, int A, int B) Operation(Example ex)
    {
        if (ex.Numbers is not { Length: 2 }) throw new ArgumentException($"Example '{ex.Id}' needs two operands in Numbers.", nameof(ex));
        char op = ex.Kind switch
        {
            "add" => '+', "sub" => '-', "mul" => '*',
            _ when WordProblemTask.Operations.TryGetValue(ex.Kind, out var o) => o,
            _ => throw new ArgumentException($"Example '{ex.Id}': unknown kind '{ex.Kind}'.", nameof(ex)),
        };
        return (op, ex.Numbers[0], ex.Numbers[1]);
    }

    static int Apply(char op, int a, int b) => op switch { '+' => a + b, '-' => a - b, _ => a * b };

    static List<Seg> NumericSegments(Example ex, Rng rng, TraceStyle style)
    {
        var (op, a, b) = Operation(ex);
        var segs = new List<Seg>();
        var header = Header(ex.Kind, op, a, b);
        if (header is not null) segs.Add(header);
        var steps = DigitSteps(op, a, b);
        int slip = style == TraceStyle.SelfCorrection ? rng.NextInt(steps.Count) : -1;
        for (int i = 0; i < steps.Count; i++)
        {
            if (i != slip) { segs.Add(steps[i].Render()); continue; }
            int wrong = steps[i].Value + (rng.Chance(0.5) || steps[i].Value == 0 ? 1 : -1);
            segs.Add(steps[i].RenderCorrected(wrong));
        }
        if (style == TraceStyle.Verification)
        {
            int r = Apply(op, a, b);
            var check = op switch { '+' => $"{r}-{b}={a}", '-' => $"{r}+{b}={a}", _ => $"{r}/{b}={a}" };
            segs.Add(new Seg($"let me check: {check}, ok.", $"检查：{check}，对。"));
        }
        return segs;
    }

    static Seg? Header(string kind, char op, int a, int b)
    {
        var e = $"{a}{op}{b}";
        return kind switch
        {
            "speed" => new Seg($"distance = speed*time = {e}.", $"路程=速度*时间={e}。"),
            "price" => new Seg($"cost = {e}.", $"总价={e}。"),
            "box" => new Seg($"total = {e}.", $"总数={e}。"),
            "money" => new Seg($"left = {e}.", $"还剩={e}。"),
            "agediff" => new Seg($"diff = {e}.", $"相差={e}。"),
            "total" => new Seg($"total = {e}.", $"一共={e}。"),
            _ => null, // bare arithmetic: the question is already the expression
        };
    }

    /// <summary>One column of written arithmetic. Carry is "carry"/"borrow" (null on the last column).</summary>
    sealed record DigitStep(string Expr, int Value, string? Carry, int CarryAmount, string Partial)
    {
        string ZhCarry => Carry == "carry" ? "进" : "借";

        public Seg Render() => Carry is null
            ? new Seg($"{Expr}={Value}, got {Partial}.", $"{Expr}={Value}，得{Partial}。")
            : new Seg($"{Expr}={Value}, {Carry} {CarryAmount}, got {Partial}.", $"{Expr}={Value}，{ZhCarry}{CarryAmount}，得{Partial}。");

        public Seg RenderCorrected(int wrong) => Carry is null
            ? new Seg($"{Expr}={wrong}. wait, {Expr} is {Value}, not {wrong}. got {Partial}.",
                      $"{Expr}={wrong}。等等，{Expr}是{Value}，不是{wrong}。得{Partial}。")
            : new Seg($"{Expr}={wrong}. wait, {Expr} is {Value}, not {wrong}. {Carry} {CarryAmount}, got {Partial}.",
                      $"{Expr}={wrong}。等等，{Expr}是{Value}，不是{wrong}。{ZhCarry}{CarryAmount}，得{Partial}。");
    }

    static int Digit(int n, int i) { for (; i > 0; i--) n /= 10; return n % 10; }

    static int Digits(int n) => n.ToString().Length;

    /// <summary>Written addition, subtraction (a &gt; b) or multiplication by one digit, right to left.</summary>
    static List<DigitStep> DigitSteps(char op, int a, int b)
    {
        var steps = new List<DigitStep>();
        string partial = "";
        int carry = 0;
        int columns = op == '+' ? Math.Max(Digits(a), Digits(b)) : Digits(a);
        for (int i = 0; i < columns; i++)
        {
            bool last = i == columns - 1;
            int t = Digit(a, i);
            string expr; int value, next;
            switch (op)
            {
                case '+':
                    {
                        int s = Digit(b, i);
                        value = t + s + carry;
                        expr = i == 0 ? $"{t}+{s}" : $"{t}+{s}+{carry}";
                        next = value / 10;
                        break;
                    }
                case '-':
                    {
                        int s = Digit(b, i);
                        value = t - s - carry;
                        next = value < 0 ? 1 : 0;
                        if (next == 1) value += 10;
                        var top = next == 1 ? $"1{t}" : $"{t}";
                        expr = i == 0 ? $"{top}-{s}" : $"{top}-{s}-{carry}";
                        break;
                    }
                default:
                    value = t * b + carry;
                    expr = i == 0 ? $"{t}*{b}" : $"{t}*{b}+{carry}";
                    next = value / 10;
                    break;
            }
            if (last)
            {
                // The last column writes the whole result (leading zeros of a difference dropped).
                var full = (value + partial).TrimStart('0');
                steps.Add(new DigitStep(expr, value, null, 0, full.Length == 0 ? "0" : full));
            }
            else
            {
                partial = (op == '-' ? value : value % 10) + partial;
                steps.Add(new DigitStep(expr, value, op == '-' ? "borrow" : "carry", next, partial));
            }
            carry = next;
        }
        return steps;
    }

    /// <summary>The answer with carries (or borrows) forgotten — the classic slip of a weak solver.</summary>
    static int NoCarry(char op, int a, int b)
    {
        int columns = op == '+' ? Math.Max(Digits(a), Digits(b)) : Digits(a);
        string s = "";
        for (int i = 0; i < columns; i++)
        {
            int t = Digit(a, i);
            int v = op switch { '+' => t + Digit(b, i), '-' => Math.Abs(t - Digit(b, i)), _ => t * b };
            s = (i == columns - 1 ? v : v % 10) + s;
        }
        return int.Parse(s);
    }

    static int DigitOff(int n, Rng rng)
    {
        int place = 1;
        for (int k = rng.NextInt(Digits(n)); k > 0; k--) place *= 10;
        return rng.Chance(0.5) ? n + place : n - place;
    }

    // ---- Countdown: trial and error ----

    static List<Seg> CountdownSegments(Example ex, Rng rng, TraceStyle style)
    {
        int target = ex.Target!.Value;
        int roll = rng.NextInt(100);
        int misses = roll < 25 ? 0 : roll < 60 ? 1 : roll < 85 ? 2 : 3;
        if (style == TraceStyle.SelfCorrection) misses = Math.Min(misses, 2); // the caught slip is a fourth try: keep it short
        var segs = new List<Seg>();
        for (int i = 0; i < misses; i++)
        {
            var (e, v) = CountdownTask.RandomExpression(rng, ex.Numbers);
            if (v != target) segs.Add(new Seg($"{e}={v}, no.", $"{e}={v}，不对。"));
        }
        if (style == TraceStyle.SelfCorrection)
        {
            // A miss first taken for a hit, then caught.
            for (int i = 0; i < 20; i++)
            {
                var (e, v) = CountdownTask.RandomExpression(rng, ex.Numbers);
                if (v == target) continue;
                segs.Insert(rng.NextInt(segs.Count + 1), new Seg(
                    $"{e}={target}, yes. wait, {e} is {v}, not {target}. no.",
                    $"{e}={target}，对。等等，{e}是{v}，不是{target}。不对。"));
                break;
            }
        }
        segs.Add(new Seg($"{ex.Answer}={target}, yes.", $"{ex.Answer}={target}，对。"));
        if (style == TraceStyle.Verification)
        {
            var steps = CountdownExpression.Evaluate(ex.Answer).Steps;
            segs.Add(new Seg($"let me check: {string.Join(", ", steps)}, ok.", $"检查：{string.Join("，", steps)}，对。"));
        }
        return segs;
    }
}
