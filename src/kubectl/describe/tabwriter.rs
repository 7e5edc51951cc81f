//! Go's `text/tabwriter` as `kubectl describe` configures it (`Init(buf, 0, 8, 2, ' ', 0)`):
//! tab-terminated cells, column blocks of consecutive lines, and a flush whenever a line has no
//! tab at all. Describe output depends on these details: a line without a tab ends every column
//! block above it, so `Name:` and `Containers:` sections align independently, and
//! `DescribeEvents` flushes so the events table never aligns with the fields above it.

/// One cell of a line: its text width in runes, and whether a tab ended it.
#[derive(Clone, Copy, Debug, Default)]
struct Cell {
    /// Bytes of text in `buf`.
    size: usize,
    /// Width in runes (`utf8.RuneCount`).
    width: usize,
}

#[derive(Clone, Debug)]
pub struct TabWriter {
    minwidth: usize,
    padding: usize,
    /// Text of the cells, without tabs or newlines.
    buf: String,
    /// The cell being written.
    cell: Cell,
    lines: Vec<Vec<Cell>>,
    widths: Vec<usize>,
    /// What has been formatted so far.
    pub out: String,
}

impl TabWriter {
    /// `tabwriter.NewWriter(out, minwidth, 8, padding, ' ', 0)`.
    pub fn new(minwidth: usize, padding: usize) -> TabWriter {
        TabWriter {
            minwidth,
            padding,
            buf: String::new(),
            cell: Cell::default(),
            lines: vec![Vec::new()],
            widths: Vec::new(),
            out: String::new(),
        }
    }

    /// `Write`: splits text into cells; a newline after a line of one cell flushes.
    pub fn write(&mut self, text: &str) {
        for ch in text.chars() {
            match ch {
                '\t' | '\u{b}' | '\n' | '\u{c}' => {
                    let ncells = self.terminate_cell();
                    if ch == '\n' || ch == '\u{c}' {
                        self.lines.push(Vec::new());
                        if ch == '\u{c}' || ncells == 1 {
                            self.flush();
                        }
                    }
                }
                c => {
                    self.buf.push(c);
                    self.cell.size += c.len_utf8();
                    self.cell.width += 1;
                }
            }
        }
    }

    fn terminate_cell(&mut self) -> usize {
        let line = self
            .lines
            .last_mut()
            .expect("there is always a current line");
        line.push(self.cell);
        self.cell = Cell::default();
        line.len()
    }

    /// `Flush`: formats everything buffered and starts afresh.
    pub fn flush(&mut self) {
        if self.cell.size > 0 {
            self.terminate_cell();
        }
        let n = self.lines.len();
        self.format(0, 0, n);
        self.buf.clear();
        self.cell = Cell::default();
        self.lines = vec![Vec::new()];
        self.widths.clear();
    }

    /// The formatted text, after a final flush.
    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }

    fn format(&mut self, pos0: usize, line0: usize, line1: usize) -> usize {
        let mut pos = pos0;
        let mut line0 = line0;
        let column = self.widths.len();
        let mut this = line0;
        while this < line1 {
            if column + 1 >= self.lines[this].len() {
                this += 1;
                continue;
            }
            // A cell exists in this column: print the lines before the block, then find
            // the block's extent and width.
            pos = self.write_lines(pos, line0, this);
            line0 = this;
            let mut width = self.minwidth;
            while this < line1 {
                let line = &self.lines[this];
                if column + 1 >= line.len() {
                    break;
                }
                width = width.max(line[column].width + self.padding);
                this += 1;
            }
            self.widths.push(width);
            pos = self.format(pos, line0, this);
            self.widths.pop();
            line0 = this;
            // Go's loop increments past the line that ended the block (it has no cell here).
            this += 1;
        }
        self.write_lines(pos, line0, line1)
    }

    fn write_lines(&mut self, pos0: usize, line0: usize, line1: usize) -> usize {
        let mut pos = pos0;
        for i in line0..line1 {
            for (j, c) in self.lines[i].iter().enumerate() {
                if c.size > 0 {
                    self.out.push_str(&self.buf[pos..pos + c.size]);
                    pos += c.size;
                }
                if j < self.widths.len() {
                    let pad = self.widths[j].saturating_sub(c.width);
                    self.out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            if i + 1 == self.lines.len() {
                // The last buffered line has no newline yet: write its pending text.
                self.out.push_str(&self.buf[pos..pos + self.cell.size]);
                pos += self.cell.size;
            } else {
                self.out.push('\n');
            }
        }
        pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(text: &str) -> String {
        let mut w = TabWriter::new(0, 2);
        w.write(text);
        w.finish()
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
        let mut w = TabWriter::new(0, 2);
        w.write("Labels:\t<none>\nKey:\tv\n");
        w.flush();
        w.write("  Type\tReason\n  ----\t------\n");
        assert_eq!(
            w.finish(),
            "Labels:  <none>\nKey:     v\n  Type  Reason\n  ----  ------\n"
        );
        assert_eq!(tab("\tx\nab\ty\n"), "    x\nab  y\n");
    }
}
