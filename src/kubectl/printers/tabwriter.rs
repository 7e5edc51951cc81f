//! Go's `text/tabwriter` in the fork kubectl prints tables with (github.com/liggitt/tabwriter,
//! which adds `RememberWidths`: a column never gets narrower than it has been, so the lines
//! `kubectl get -w` prints as changes arrive stay aligned). Without that flag it is Go's own
//! text/tabwriter, which `kubectl describe` writes through (`Init(buf, 0, 8, 2, ' ', 0)`);
//! `TabWriter::kubectl` configures it as `printers.GetNewTabWriter` does for tables: minimal
//! width 6, tab width 4, padding 3, spaces, RememberWidths.
//!
//! Cells are terminated by `\t` (or `\v`); `\n` ends a line and `\f` a line and a block. A line
//! with a single cell (no tab) ends a block too: what follows starts new columns. Widths are
//! counted in characters. Escapes and HTML filtering are not ported (kubectl uses neither).

/// A cell: its size in bytes, its width in characters, and whether a `\t` ended it.
#[derive(Debug, Clone, Copy, Default)]
struct Cell {
    size: usize,
    width: usize,
    htab: bool,
}

/// Right-align cell contents.
pub const ALIGN_RIGHT: u32 = 1 << 2;
/// Give columns whose cells are all empty and `\v`-terminated no width.
pub const DISCARD_EMPTY_COLUMNS: u32 = 1 << 3;
/// Pad leading empty cells with tabs.
pub const TAB_INDENT: u32 = 1 << 4;
/// Print `|` between columns.
pub const DEBUG: u32 = 1 << 5;
/// Remember per-column maximum widths across flushes (liggitt/tabwriter).
pub const REMEMBER_WIDTHS: u32 = 1 << 6;

/// A tabwriter writing into a string.
#[derive(Debug, Clone)]
pub struct TabWriter {
    minwidth: usize,
    tabwidth: usize,
    padding: usize,
    padchar: u8,
    flags: u32,
    buf: Vec<u8>,
    pos: usize,
    cell: Cell,
    lines: Vec<Vec<Cell>>,
    widths: Vec<usize>,
    maxwidths: Vec<usize>,
    out: Vec<u8>,
}

impl TabWriter {
    /// `tabwriter.NewWriter(minwidth, tabwidth, padding, padchar, flags)`.
    pub fn new(
        minwidth: usize,
        tabwidth: usize,
        padding: usize,
        padchar: u8,
        flags: u32,
    ) -> TabWriter {
        let flags = if padchar == b'\t' {
            flags & !ALIGN_RIGHT
        } else {
            flags
        };
        let mut w = TabWriter {
            minwidth,
            tabwidth,
            padding,
            padchar,
            flags,
            buf: Vec::new(),
            pos: 0,
            cell: Cell::default(),
            lines: Vec::new(),
            widths: Vec::new(),
            maxwidths: Vec::new(),
            out: Vec::new(),
        };
        w.reset();
        w
    }

    /// `printers.GetNewTabWriter`: kubectl's tables.
    pub fn kubectl() -> TabWriter {
        TabWriter::new(6, 4, 3, b' ', REMEMBER_WIDTHS)
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.cell = Cell::default();
        self.lines.clear();
        self.widths.clear();
        self.lines.push(Vec::new());
    }

    fn write_padding(&mut self, textw: usize, cellw: usize, use_tabs: bool) {
        if self.padchar == b'\t' || use_tabs {
            if self.tabwidth == 0 {
                return;
            }
            let cellw = cellw.div_ceil(self.tabwidth) * self.tabwidth;
            let n = cellw - textw;
            let tabs = n.div_ceil(self.tabwidth);
            self.out.extend(std::iter::repeat_n(b'\t', tabs));
            return;
        }
        self.out.extend(std::iter::repeat_n(
            self.padchar,
            cellw.saturating_sub(textw),
        ));
    }

    fn write_lines(&mut self, mut pos: usize, line0: usize, line1: usize) -> usize {
        for i in line0..line1 {
            let line = self.lines[i].clone();
            let mut use_tabs = self.flags & TAB_INDENT != 0;
            for (j, c) in line.iter().enumerate() {
                if j > 0 && self.flags & DEBUG != 0 {
                    self.out.push(b'|');
                }
                if c.size == 0 {
                    if j < self.widths.len() {
                        self.write_padding(c.width, self.widths[j], use_tabs);
                    }
                } else {
                    use_tabs = false;
                    if self.flags & ALIGN_RIGHT == 0 {
                        self.out.extend_from_slice(&self.buf[pos..pos + c.size]);
                        pos += c.size;
                        if j < self.widths.len() {
                            self.write_padding(c.width, self.widths[j], false);
                        }
                    } else {
                        if j < self.widths.len() {
                            self.write_padding(c.width, self.widths[j], false);
                        }
                        self.out.extend_from_slice(&self.buf[pos..pos + c.size]);
                        pos += c.size;
                    }
                }
            }
            if i + 1 == self.lines.len() {
                // The last buffered line has no newline yet: write what is pending.
                self.out
                    .extend_from_slice(&self.buf[pos..pos + self.cell.size]);
                pos += self.cell.size;
            } else {
                self.out.push(b'\n');
            }
        }
        pos
    }

    fn format(&mut self, mut pos: usize, mut line0: usize, line1: usize) -> usize {
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // A cell in this column: this line has more cells than the previous one.
            pos = self.write_lines(pos, line0, this);
            line0 = this;
            let mut width = self.minwidth;
            let mut discardable = true;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                let c = line[column];
                width = width.max(c.width + self.padding);
                if c.width > 0 || c.htab {
                    discardable = false;
                }
                this += 1;
            }
            if discardable && self.flags & DISCARD_EMPTY_COLUMNS != 0 {
                width = 0;
            }
            if self.flags & REMEMBER_WIDTHS != 0 {
                if self.maxwidths.len() < self.widths.len() {
                    let from = self.maxwidths.len();
                    self.maxwidths.extend_from_slice(&self.widths[from..]);
                }
                let k = self.widths.len();
                if self.maxwidths.len() == k {
                    self.maxwidths.push(width);
                } else if self.maxwidths[k] > width {
                    width = self.maxwidths[k];
                } else if self.maxwidths[k] < width {
                    self.maxwidths[k] = width;
                }
            }
            self.widths.push(width);
            pos = self.format(pos, line0, this);
            self.widths.pop();
            line0 = this;
        }
        self.write_lines(pos, line0, line1)
    }

    fn update_width(&mut self) {
        let text = String::from_utf8_lossy(&self.buf[self.pos..]);
        self.cell.width += text.chars().count();
        self.pos = self.buf.len();
    }

    fn terminate_cell(&mut self, htab: bool) -> usize {
        self.cell.htab = htab;
        let cell = std::mem::take(&mut self.cell);
        let line = self.lines.last_mut().expect("a current line");
        line.push(cell);
        line.len()
    }

    /// `Write`: buffers text, formatting each block as soon as it is complete.
    pub fn write(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut n = 0;
        for (i, &ch) in bytes.iter().enumerate() {
            if matches!(ch, b'\t' | b'\x0b' | b'\n' | b'\x0c') {
                self.buf.extend_from_slice(&bytes[n..i]);
                self.cell.size += i - n;
                self.update_width();
                n = i + 1;
                let ncells = self.terminate_cell(ch == b'\t');
                if ch == b'\n' || ch == b'\x0c' {
                    self.lines.push(Vec::new());
                    if ch == b'\x0c' || ncells == 1 {
                        self.flush();
                        if ch == b'\x0c' && self.flags & DEBUG != 0 {
                            self.out.extend_from_slice(b"---\n");
                        }
                    }
                }
            }
        }
        self.buf.extend_from_slice(&bytes[n..]);
        self.cell.size += bytes.len() - n;
    }

    /// `Flush`: formats and writes everything buffered.
    pub fn flush(&mut self) {
        if self.cell.size > 0 {
            self.update_width();
            self.terminate_cell(false);
        }
        let lines = self.lines.len();
        self.format(0, 0, lines);
        self.reset();
    }

    /// The text written so far (taken out of the writer).
    pub fn take_output(&mut self) -> String {
        String::from_utf8(std::mem::take(&mut self.out)).expect("tabwriter output is UTF-8")
    }
}

/// Lines of tab-separated cells aligned as kubectl aligns a table it prints in one go.
pub fn align(text: &str) -> String {
    let mut w = TabWriter::kubectl();
    w.write(text);
    w.flush();
    w.take_output()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        minwidth: usize,
        tabwidth: usize,
        padding: usize,
        padchar: u8,
        flags: u32,
        src: &str,
    ) -> String {
        let mut w = TabWriter::new(minwidth, tabwidth, padding, padchar, flags);
        w.write(src);
        w.flush();
        w.take_output()
    }

    /// The cases of tabwriter_test.go (liggitt/tabwriter, from Go's own) that use no escapes,
    /// HTML filtering or grapheme widths.
    #[test]
    fn go_tabwriter_cases() {
        let cases: &[(usize, usize, usize, u8, u32, &str, &str)] = &[
            (8, 0, 1, b'.', 0, "", ""),
            (8, 0, 1, b'.', DEBUG, "", ""),
            (8, 0, 1, b'.', 0, "\n\n\n", "\n\n\n"),
            (8, 0, 1, b'.', 0, "a\nb\nc", "a\nb\nc"),
            (8, 0, 1, b'.', 0, "\t", ""),
            (8, 0, 1, b'.', ALIGN_RIGHT, "\t", ""),
            (8, 0, 1, b'.', 0, "*\t*", "*.......*"),
            (8, 0, 1, b'.', 0, "*\t*\n", "*.......*\n"),
            (8, 0, 1, b'.', 0, "*\t*\t", "*.......*"),
            (8, 0, 1, b'.', DEBUG, "*\t*\t", "*.......|*"),
            (8, 0, 1, b'.', ALIGN_RIGHT, "*\t*\t", ".......**"),
            (8, 0, 1, b'.', 0, "\t\n", "........\n"),
            (8, 0, 1, b'.', 0, "a) foo", "a) foo"),
            (8, 0, 1, b' ', 0, "b) foo\tbar", "b) foo  bar"),
            (8, 0, 1, b'.', 0, "c) foo\tbar\t", "c) foo..bar"),
            (8, 0, 1, b'.', 0, "d) foo\tbar\n", "d) foo..bar\n"),
            (8, 0, 1, b'.', 0, "e) foo\tbar\t\n", "e) foo..bar.....\n"),
            (8, 0, 1, b'*', 0, "Hello, world!\n", "Hello, world!\n"),
            (1, 0, 0, b'.', 0, "1\t2\t3\t4\n11\t222\t3333\t44444\n", "1.2..3...4\n11222333344444\n"),
            (1, 0, 0, b'.', 0, "1\t2\t3\t4\x0c11\t222\t3333\t44444\n", "1234\n11222333344444\n"),
            (1, 0, 0, b'.', DEBUG, "1\t2\t3\t4\x0c11\t222\t3333\t44444\n", "1|2|3|4\n---\n11|222|3333|44444\n"),
            (5, 0, 0, b'.', 0, "1\t2\t3\t4\n", "1....2....3....4\n"),
            (5, 0, 0, b'.', 0, "1\t2\t3\t4\t\n", "1....2....3....4....\n"),
            (
                8, 0, 1, b'.', 0,
                "本\tb\tc\naa\t\u{672c}\u{672c}\u{672c}\tcccc\tddddd\naaa\tbbbb\n",
                "本.......b.......c\naa......本本本.....cccc....ddddd\naaa.....bbbb\n",
            ),
            (
                8, 0, 1, b' ', ALIGN_RIGHT,
                "a\tè\tc\t\naa\tèèè\tcccc\tddddd\t\naaa\tèèèè\t\n",
                "       a       è       c\n      aa     èèè    cccc   ddddd\n     aaa    èèèè\n",
            ),
            (2, 0, 0, b' ', 0, "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n", "a  b  c\naa bbbcccc\naaabbbb\n"),
            (
                8, 0, 1, b'_', 0,
                "a\tb\tc\naa\tbbb\tcccc\naaa\tbbbb\n",
                "a_______b_______c\naa______bbb_____cccc\naaa_____bbbb\n",
            ),
            (
                4, 0, 1, b'-', 0,
                "4444\t日本語\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n",
                "4444------日本語-22--1---333\n999999999-22\n7---------22\n------------------88888888\n\n666666-666666-666666----4444\n1------1------999999999-0000000000\n",
            ),
            (
                4, 0, 3, b'.', 0,
                "4444\t333\t22\t1\t333\n999999999\t22\n7\t22\n\t\t\t88888888\n\n666666\t666666\t666666\t4444\n1\t1\t999999999\t0000000000\n",
                "4444........333...22...1...333\n999999999...22\n7...........22\n....................88888888\n\n666666...666666...666666......4444\n1........1........999999999...0000000000\n",
            ),
            (
                1, 0, 2, b' ', ALIGN_RIGHT | DEBUG,
                ".0\t.3\t2.4\t-5.1\t\n23.0\t12345678.9\t2.4\t-989.4\t\n5.1\t12.0\t2.4\t-7.0\t\n.0\t0.0\t332.0\t8908.0\t\n.0\t-.3\t456.4\t22.1\t\n.0\t1.2\t44.4\t-13.3\t\t",
                "    .0|          .3|    2.4|    -5.1|\n  23.0|  12345678.9|    2.4|  -989.4|\n   5.1|        12.0|    2.4|    -7.0|\n    .0|         0.0|  332.0|  8908.0|\n    .0|         -.3|  456.4|    22.1|\n    .0|         1.2|   44.4|   -13.3|",
            ),
            (4, 0, 0, b'.', 0, "a\t\tb", "a.......b"),
            (4, 0, 0, b'.', DISCARD_EMPTY_COLUMNS, "a\t\tb", "a.......b"),
            (4, 0, 0, b'.', DISCARD_EMPTY_COLUMNS, "a\x0b\x0bb", "a...b"),
            (4, 0, 0, b'.', ALIGN_RIGHT | DISCARD_EMPTY_COLUMNS, "a\x0b\x0bb", "...ab"),
            (
                100, 100, 0, b'\t', 0,
                "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n",
                "a\tb\t\td\na\tb\t\td\te\na\na\tb\tc\td\na\tb\tc\td\te\n",
            ),
            (
                100, 100, 0, b'\t', DISCARD_EMPTY_COLUMNS | DEBUG,
                "a\x0bb\x0b\x0bd\na\x0bb\x0b\x0bd\x0be\na\na\x0bb\x0bc\x0bd\na\x0bb\x0bc\x0bd\x0be\n",
                "a\t|b\t||d\na\t|b\t||d\t|e\na\na\t|b\t|c\t|d\na\t|b\t|c\t|d\t|e\n",
            ),
        ];
        for (i, &(minwidth, tabwidth, padding, padchar, flags, src, want)) in
            cases.iter().enumerate()
        {
            assert_eq!(
                run(minwidth, tabwidth, padding, padchar, flags, src),
                want,
                "case {i}: {src:?}"
            );
        }
    }

    /// TestMultiWrite: remembered widths across flushes.
    #[test]
    fn remembered_widths_survive_flushes() {
        let mut w = TabWriter::new(6, 4, 3, b' ', REMEMBER_WIDTHS);
        w.write("First\tMiddle\tLast\n");
        w.write("a\tbb\tccc\n");
        w.write("ddd\teeeeeeeeeeeeee\tf\n");
        w.flush();
        w.write("g\th\ti\n");
        w.flush();
        w.write("j\t\t\n");
        w.flush();
        w.write("\tk\t\n");
        w.flush();
        w.write("\t\tl\n");
        w.flush();
        w.write("mmmmmmmmmmmmmmm\tnnn\tooo\n");
        w.flush();
        assert_eq!(
            w.take_output(),
            "First   Middle           Last\na       bb               ccc\nddd     eeeeeeeeeeeeee   f\ng       h                i\nj                        \n        k                \n                         l\nmmmmmmmmmmmmmmm   nnn              ooo\n"
        );
    }

    #[test]
    fn kubectl_tables_use_padding_three_and_keep_widths() {
        assert_eq!(
            align("NAME\tREADY\tSTATUS\nweb-1\t1/1\tRunning\nx\t0/1\tPending\n"),
            "NAME    READY   STATUS\nweb-1   1/1     Running\nx       0/1     Pending\n"
        );
        // A later, narrower block keeps the widths the first one had.
        let mut w = TabWriter::kubectl();
        w.write("NAME\tSTATUS\nlong-pod-name\tRunning\n");
        w.flush();
        w.write("a\tPending\n");
        w.flush();
        assert_eq!(
            w.take_output(),
            "NAME            STATUS\nlong-pod-name   Running\na               Pending\n"
        );
    }

    // `kubectl describe`'s configuration (`tabbedString`: `Init(buf, 0, 8, 2, ' ', 0)`): a line
    // without a tab ends every column block above it, so sections align independently.

    fn tab(text: &str) -> String {
        let mut w = TabWriter::new(0, 8, 2, b' ', 0);
        w.write(text);
        w.flush();
        w.take_output()
    }

    #[test]
    fn consecutive_tabbed_lines_share_a_column() {
        assert_eq!(
            tab("Name:\tweb\nNamespace:\tdefault\n"),
            "Name:       web\nNamespace:  default\n"
        );
    }

    #[test]
    fn a_line_without_a_tab_ends_the_block() {
        assert_eq!(
            tab("A:\tx\nSection:\n  LongerKey:\ty\n"),
            "A:  x\nSection:\n  LongerKey:  y\n"
        );
    }

    #[test]
    fn a_column_block_ends_where_a_line_has_fewer_cells() {
        // The second column of line 1 does not align with line 3: line 2 has no such cell.
        assert_eq!(
            tab("a\tbbbbbb\tc\nxx\ty\nd\te\tf\n"),
            "a   bbbbbb  c\nxx  y\nd   e  f\n"
        );
    }

    #[test]
    fn empty_cells_are_padded_and_flush_resets_widths() {
        let mut w = TabWriter::new(0, 8, 2, b' ', 0);
        w.write("Labels:\t<none>\nKey:\tv\n");
        w.flush();
        w.write("  Type\tReason\n  ----\t------\n");
        w.flush();
        assert_eq!(
            w.take_output(),
            "Labels:  <none>\nKey:     v\n  Type  Reason\n  ----  ------\n"
        );
        assert_eq!(tab("\tx\nab\ty\n"), "    x\nab  y\n");
    }
}
