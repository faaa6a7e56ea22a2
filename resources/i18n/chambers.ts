<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1">
<context>
    <name>AskPanel</name>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="45"/>
        <source>Ask about this matter…  (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="46"/>
        <source>Question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="40"/>
        <source>&amp;Ask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="40"/>
        <source>Ask the question</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="40"/>
        <source>answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="41"/>
        <source>Unlock a matter to ask about it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="49"/>
        <source>Documents to ask about</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="50"/>
        <source>Ask about every document of the matter, or one of them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="51"/>
        <location filename="../../app/gui/ask_panel.py" line="94"/>
        <source>All documents</source>
        <extracomment>The running question&apos;s heading, what has streamed in under it, and how many citations there were before it (its streamed ones are replaced by the answer&apos;s).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="54"/>
        <source>Answers with citations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="119"/>
        <source>Answering…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="119"/>
        <source>Cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="129"/>
        <source>(part {0} of {1})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="131"/>
        <source>Part {0} of {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="149"/>
        <source>The closest sentences (they do not answer it):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="173"/>
        <source>✓ every fact in it is in the quoted sentence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="176"/>
        <source>Unconfirmed: no short answer could be confirmed by the sentences.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/ask_panel.py" line="180"/>
        <source>Not in the sentences: {0}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuditDialog</name>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="197"/>
        <source>Audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="206"/>
        <source>Matter, document and model actions, newest first. The log holds identifiers only, never document content. Hover over a row to see all of its fields.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="212"/>
        <source>Filter by action or vault id…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="213"/>
        <source>Filter audit records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="217"/>
        <source>Records shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="219"/>
        <source>&amp;Filter:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="228"/>
        <source>Audit records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="242"/>
        <source>&amp;Verify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="244"/>
        <source>Check every record and signature for edits, gaps and truncation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="246"/>
        <source>&amp;Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="247"/>
        <source>Save the records as CSV or JSON for IT</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="248"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="251"/>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="253"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="266"/>
        <source>Not verified yet. Press Verify to check the log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="267"/>
        <source>Verification result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="309"/>
        <source>The audit log could not be read: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="334"/>
        <source>{0} records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="336"/>
        <source>{0} of {1} records</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="370"/>
        <source>Cancelled; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="396"/>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="396"/>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="411"/>
        <source>Verifying every record and signature…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="428"/>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="428"/>
        <source>JSON with verification (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="431"/>
        <source>Export the audit log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="456"/>
        <source>Exporting to {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="460"/>
        <source>Exported {0} records to {1}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuditRecordsModel</name>
    <message>
        <location filename="../../app/gui/audit_dialog.py" line="165"/>
        <source>Verification found tampering here.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChambersStatusBar</name>
    <message>
        <location filename="../../app/gui/status_bar.py" line="16"/>
        <source>No model loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="20"/>
        <location filename="../../app/gui/status_bar.py" line="85"/>
        <source>Offline ✓</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="23"/>
        <source>Chambers opens no network connections: your documents never leave this machine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="31"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="32"/>
        <source>Cancel the running task</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="55"/>
        <source>Loading {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="76"/>
        <source>{0} {1}/{2} layers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="81"/>
        <source>CPU · {0} threads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="64"/>
        <source>Firm server: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="66"/>
        <source>Firm network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="69"/>
        <source>Documents of this matter go to the firm&apos;s own inference server, as IT&apos;s policy allows.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="83"/>
        <source>On this computer · {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="89"/>
        <source>{0:.1f} tok/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="97"/>
        <source>Generation speed of the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="100"/>
        <source>read {0:.0f} tok/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/status_bar.py" line="102"/>
        <source>How fast the model reads the documents</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DocumentsView</name>
    <message>
        <location filename="../../app/gui/documents_view.py" line="138"/>
        <source>Search this matter…  (Ctrl+K)</source>
        <extracomment>Sort keys: attachments under their message, titles case-blind, numbers as numbers.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="139"/>
        <source>Search this matter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="142"/>
        <source>&amp;Import…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="143"/>
        <location filename="../../app/gui/documents_view.py" line="280"/>
        <source>Import documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="146"/>
        <source>Search results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="159"/>
        <source>Documents in this matter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="168"/>
        <source>Double-click or press Enter to open a document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="189"/>
        <source>Unlock a matter to see its documents.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="199"/>
        <source>This matter has no documents yet. Import files or drop them here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="210"/>
        <source>No matches in this matter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="225"/>
        <source>Relevance {0:.2f}. Double-click or Enter opens p. {1}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="250"/>
        <source>Open at page 1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="260"/>
        <source>Open at page {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/documents_view.py" line="283"/>
        <source>Documents (*.pdf *.docx *.eml *.msg *.html *.htm *.rtf *.txt *.md);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftPanel</name>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="45"/>
        <source>Template</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="50"/>
        <source>{0} (cannot be used)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="54"/>
        <source>&amp;Template:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="58"/>
        <source>What the template is for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="61"/>
        <source>Instructions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="63"/>
        <source>What is the draft for? Give the facts you know, e.g. “Our client is owed $48,500 under invoice 2019-114; give them 14 days.”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="67"/>
        <source>&amp;Instructions:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="70"/>
        <source>Documents to draw on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="72"/>
        <source>D&amp;ocuments to draw on:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="41"/>
        <source>&amp;Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="41"/>
        <source>Write the draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="43"/>
        <source>Write the draft (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="74"/>
        <source>&amp;Save DOCX…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="75"/>
        <source>Save the draft as a Word document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="79"/>
        <source>Draft preview with sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="42"/>
        <source>Unlock a matter to draft from its documents.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="41"/>
        <source>draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="143"/>
        <source>Write instructions or tick documents to draw on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="146"/>
        <source>Working…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="157"/>
        <source>Drafting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="160"/>
        <source>Cancelled: no draft was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="172"/>
        <source>{0} of {1} facts found and checked; {2} placeholder(s) to fill (highlighted); {3} of {4} sentences with a confirmed source. Click a source number to check it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="212"/>
        <source>Suggestions to check (not used in the draft)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="231"/>
        <source>Save draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="231"/>
        <source>Word document (*.docx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="246"/>
        <source>Could not save {0}: {1}. Choose another folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/draft_panel.py" line="251"/>
        <source>Saved {0}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ExtractPanel</name>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="71"/>
        <source>Field set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="73"/>
        <source>&amp;Field set:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="76"/>
        <source>Documents to extract from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="78"/>
        <source>Docume&amp;nts:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="80"/>
        <source>Fields to extract</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="81"/>
        <source>Fi&amp;elds:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="65"/>
        <source>Extrac&amp;t</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="65"/>
        <source>Extract the fields</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="68"/>
        <source>Fill the grid for the checked documents (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="69"/>
        <source>Stop the extraction (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="83"/>
        <source>Ex&amp;port…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="84"/>
        <location filename="../../app/gui/extract_panel.py" line="471"/>
        <source>Export the grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="86"/>
        <source>Save the grid, with reviewed values, as XLSX, CSV or JSON</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="89"/>
        <source>A&amp;ccept cell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="90"/>
        <source>Accept the selected cell as reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="92"/>
        <source>F&amp;lag cell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="93"/>
        <source>Flag the selected cell for a second look</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="95"/>
        <source>Mark the cell ⚑ for a second look (again: remove the flag); kept in the vault and exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="107"/>
        <source>Filter the grid…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="108"/>
        <source>Show only documents whose cells contain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="111"/>
        <source>&amp;Needs review only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="113"/>
        <source>Show only documents with an unsupported value (⚠) no one has reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="116"/>
        <source>Extraction grid: documents by fields</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="129"/>
        <source>Add a column: type a yes/no question, e.g. Must a party keep insurance?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="131"/>
        <source>A question to add as a column</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="133"/>
        <source>Add co&amp;lumn</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="135"/>
        <source>Ask the question of every document in the grid: Yes or No only with the sentence that says so, otherwise not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="141"/>
        <source>Evidence for the selected cell</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="465"/>
        <source>Flag removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="67"/>
        <source>Unlock a matter to extract fields from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="65"/>
        <source>extraction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="208"/>
        <source>Check documents and fields, then Extract.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="233"/>
        <source>Asking {0} document(s): {1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="239"/>
        <source>Adding a column…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="241"/>
        <source>The column was cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="263"/>
        <source>Check at least one document and one field.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="268"/>
        <source>Extracting {0} field(s) from {1} document(s)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="282"/>
        <source>Extracting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="285"/>
        <source>Extraction cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/extract_panel.py" line="350"/>
        <source>{0} document(s) x {1} field(s): {2} supported, {3} unsupported (⚠), {4} not found. Select a cell to see its source; Enter edits, Accept confirms.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GridModel</name>
    <message>
        <location filename="../../app/gui/grid_model.py" line="122"/>
        <source>not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="124"/>
        <source>not in the document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="126"/>
        <source>— not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="130"/>
        <source>— not found (no such clause)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="138"/>
        <source>Flagged by a person for a second look.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="140"/>
        <source>Reviewed: accepted or corrected by a person.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="142"/>
        <source>Supported: p. {0}: “{1}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="144"/>
        <source>Worked out as: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="146"/>
        <source>The model chose this sentence among close candidates.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="149"/>
        <source>UNSUPPORTED: the model&apos;s quote is not on p. {0}: “{1}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="154"/>
        <source>Closest real sentence: “{0}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="156"/>
        <source>No similar sentence was found; check the page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/grid_model.py" line="158"/>
        <source>Not found in the document.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>JobControls</name>
    <message>
        <location filename="../../app/gui/task_panel.py" line="110"/>
        <source>Cancel</source>
        <extracomment>Emits a partial result to the panel&apos;s ``partial`` (queued onto the GUI thread). Shown in the panel when cancelled (&quot;&quot; shows nothing special). False for work on the vault alone (storing a review, exporting), which runs with no model loaded. A side job (export, review) hands its result here and leaves the panel&apos;s run state alone; None: the result is the panel&apos;s run (``TaskPanel.finish``). A time estimate is shown once a run has gone this long and this far (earlier, a guess).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/task_panel.py" line="111"/>
        <source>Cancel the {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/task_panel.py" line="114"/>
        <source>{0} progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/task_panel.py" line="120"/>
        <source>{0} status</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/gui/main_window.py" line="89"/>
        <source>Open matter</source>
        <extracomment>Short reads (a source page, a search) get their own thread, so they never wait behind a long task on the main runner. The question asked when a matter turns out to be an older, restored copy. Why no model can run tasks (shown in the task panels), &quot;&quot; while none is known.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="104"/>
        <source>&amp;Documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="105"/>
        <source>As&amp;k</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="106"/>
        <source>S&amp;ummarise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="107"/>
        <source>E&amp;xtract</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="108"/>
        <source>Dr&amp;aft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="109"/>
        <source>Re&amp;view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="158"/>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="161"/>
        <source>&amp;Lock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="164"/>
        <source>&amp;Models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="166"/>
        <source>&amp;Audit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="168"/>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="170"/>
        <source>Search this matter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="174"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="180"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="181"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="195"/>
        <source>No model: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="203"/>
        <source>Model not loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="206"/>
        <source>The model could not be loaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="214"/>
        <source>Chambers — no matter open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="215"/>
        <source>No matter open. Choose one on the left and unlock it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="218"/>
        <source>Chambers — {0} (unlocked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="219"/>
        <source>{0} — unlocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="273"/>
        <source>Unlocking {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="314"/>
        <source>Opening the restored copy of {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="327"/>
        <source>This matter may be an old copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="366"/>
        <source>Could not create the matter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="369"/>
        <source>Creating {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="395"/>
        <source>Import failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="398"/>
        <source>Importing {0} item(s)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="405"/>
        <source>{0} imported, {1} already in the matter, {2} refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="409"/>
        <source> (cancelled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="414"/>
        <source>Some files were not imported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="456"/>
        <source>No model can run: {0} Open Models… to install or choose one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="460"/>
        <source>The model is loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/main_window.py" line="475"/>
        <source>Unlock a matter and wait for the model first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MattersPanel</name>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="25"/>
        <source>&lt;b&gt;MATTERS&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="27"/>
        <source>Matters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="31"/>
        <source>No matters yet. Create one with New matter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="33"/>
        <source>&amp;New matter…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="35"/>
        <location filename="../../app/gui/matters_panel.py" line="77"/>
        <source>&amp;Unlock…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="54"/>
        <source>unlocked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="54"/>
        <source>locked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="58"/>
        <source>damaged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matters_panel.py" line="77"/>
        <source>&amp;Lock</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="63"/>
        <location filename="../../app/gui/models_dialog.py" line="74"/>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="82"/>
        <source>How the selected model runs here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="84"/>
        <source>&amp;Import from disk…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="85"/>
        <source>Set as &amp;default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="86"/>
        <source>&amp;Verify all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="90"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="129"/>
        <source>Installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="129"/>
        <source>Not installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="130"/>
        <source>Catalog (IT)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="130"/>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="154"/>
        <source>Install {0} before making it the default.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="160"/>
        <source>{0} is now the default model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="174"/>
        <source>Cancelled; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="193"/>
        <source>Import a model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="193"/>
        <source>GGUF models (*.gguf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="204"/>
        <source>Imported {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="207"/>
        <source>Checking {0}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="215"/>
        <source>Model not approved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="217"/>
        <source>{0}

Import it anyway on your own authority? Chambers will record its SHA-256 and refuse the file if it ever changes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/models_dialog.py" line="232"/>
        <source>Verifying every installed model…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NewMatterDialog</name>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="100"/>
        <source>New matter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="103"/>
        <source>Matter name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="104"/>
        <source>Unlock with this computer&apos;s &amp;keyring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="108"/>
        <source>Passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="111"/>
        <source>Confirm passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="117"/>
        <source>Create</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="121"/>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="123"/>
        <location filename="../../app/gui/matter_dialogs.py" line="133"/>
        <source>&amp;Passphrase (optional with keyring):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="127"/>
        <source>&amp;Confirm passphrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="133"/>
        <source>&amp;Passphrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="138"/>
        <source>Give the matter a name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="141"/>
        <source>Choose a passphrase, or let the keyring unlock this matter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="143"/>
        <source>Use a passphrase of at least {0} characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="145"/>
        <source>The two passphrases differ.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecoveryKeyDialog</name>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="161"/>
        <source>Recovery key for {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="166"/>
        <source>This is the only way into the matter if the passphrase is forgotten or this computer&apos;s keyring is lost. Print it or write it down and keep it somewhere safe. It will not be shown again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="178"/>
        <source>Recovery key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="180"/>
        <source>Last group of the recovery key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="183"/>
        <source>I have stored it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="188"/>
        <source>To confirm, type the last group of the key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="198"/>
        <source>That does not match the last group. Check the key you stored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="203"/>
        <source>Confirm the last group of the key to continue.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewPanel</name>
    <message>
        <location filename="../../app/gui/review_panel.py" line="86"/>
        <source>&amp;Review</source>
        <extracomment>The position controls (_add_position_controls), and the review and decisions shown.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="86"/>
        <source>Review the document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="86"/>
        <source>review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="89"/>
        <source>Unlock a matter to review its documents.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="91"/>
        <source>Document to review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="92"/>
        <source>Playbook</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="93"/>
        <source>Ex&amp;port…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="94"/>
        <location filename="../../app/gui/review_panel.py" line="96"/>
        <source>Export the review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="98"/>
        <source>A&amp;ccept row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="99"/>
        <source>Accept the selected row as reviewed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="101"/>
        <source>Playbook statements with labels and quotes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="103"/>
        <source>Statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="103"/>
        <source>Label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="103"/>
        <source>Quote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="103"/>
        <source>Page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="118"/>
        <source>D&amp;ocument:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="119"/>
        <source>Play&amp;book:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="178"/>
        <source>Reviewing against the {0} playbook…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="188"/>
        <source>Reviewing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="189"/>
        <source>Review cancelled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="132"/>
        <source>Says so</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="133"/>
        <source>Says the opposite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="134"/>
        <source>Silent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="206"/>
        <source>{0} statement(s): the document says so for {1}, says the opposite for {2}, is silent on {3}. Select a row to see its page; change a label or Accept to review it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="234"/>
        <source>— no quote</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="240"/>
        <source>Label of statement {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="297"/>
        <source>Risk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="297"/>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="298"/>
        <source>Proposed change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="303"/>
        <source>Only &amp;deviations and missing points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="304"/>
        <source>Show only the statements that need a change</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="306"/>
        <source>Export &amp;redline…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="308"/>
        <source>Export the document with the accepted changes tracked, or a review memo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="311"/>
        <source>as we want</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="312"/>
        <source>deviates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="312"/>
        <source>missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="327"/>
        <source>Proposed change of statement {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="328"/>
        <source>Accept: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="329"/>
        <source>Reject</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="330"/>
        <source>Change the wording…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="333"/>
        <source>Own wording: {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="344"/>
        <source>{0} deviate(s) and {1} missing point(s) by the playbook&apos;s positions. </source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="349"/>
        <source>add the clause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="349"/>
        <source>replace the sentence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="350"/>
        <source>comment</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="373"/>
        <source>Change the wording</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="373"/>
        <source>The clause to write:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="383"/>
        <source>Saving the decision…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="394"/>
        <source>Export the redline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="395"/>
        <source>Word document (*.docx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="409"/>
        <source>Writing the redline…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="413"/>
        <source>Redline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="413"/>
        <source>Review memo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/review_panel.py" line="414"/>
        <source>{0} with {1} change(s) written to {2}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReviewingPanel</name>
    <message>
        <location filename="../../app/gui/reviewing.py" line="142"/>
        <source>Saving the review…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/reviewing.py" line="157"/>
        <source>Undoing the review…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/reviewing.py" line="161"/>
        <source>Review undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/reviewing.py" line="162"/>
        <source>Review redone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/reviewing.py" line="180"/>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/reviewing.py" line="183"/>
        <source>Exported to {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/reviewing.py" line="191"/>
        <source>Excel workbook (*.xlsx);;CSV (*.csv);;JSON (*.json)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="40"/>
        <source>Settings</source>
        <extracomment>The most documents at once when the policy sets no ``max_parallel`` for the server.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="47"/>
        <location filename="../../app/gui/settings_dialog.py" line="52"/>
        <source>Automatic</source>
        <extracomment>Settings this dialog does not show are saved back as they were, not reset.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="54"/>
        <source>Choose automatically</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="70"/>
        <source>KV cache precision (for IT): 8-bit halves its memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="73"/>
        <source>Never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="74"/>
        <source> min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="78"/>
        <source>Recognise text in scanned pages and images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="82"/>
        <source>Tesseract language codes joined by &quot;+&quot;, e.g. eng+deu</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="97"/>
        <source>How many documents an extraction grid or a batch of summaries sends to the firm server at once (its parallel slots). On this computer documents run one at a time.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="105"/>
        <source>CPU &amp;threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="106"/>
        <source>&amp;Context (tokens):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="107"/>
        <source>&amp;GPU layers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="109"/>
        <source>&amp;Working memory:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="110"/>
        <source>&amp;Lock matters after idle:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="111"/>
        <source>&amp;OCR on import:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="112"/>
        <source>OCR lan&amp;guages:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="113"/>
        <source>Firm inference server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="114"/>
        <source>Documents &amp;at once on the server:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="119"/>
        <source>GPU layer count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="140"/>
        <source>Managed by your organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="149"/>
        <source>(managed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="153"/>
        <source>{0}: the greyed-out settings were set by IT and cannot be changed here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="159"/>
        <source>Model settings apply the next time a model is loaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="199"/>
        <source>None: the model runs on this computer (no server is allowed).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="203"/>
        <source>{0} is not allowed by your organisation: the model runs on this computer.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="205"/>
        <source>Not chosen: the model runs on this computer. Allowed: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="213"/>
        <source>certificate pinned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="215"/>
        <source>certificate checked against {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="217"/>
        <source>any model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="219"/>
        <source>every matter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="221"/>
        <source>{0} listed matter(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/settings_dialog.py" line="223"/>
        <source>{0} ({1}); {2}; {3}. Allowed by your organisation&apos;s policy.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../app/gui/help_dialog.py" line="42"/>
        <location filename="../../app/gui/help_dialog.py" line="45"/>
        <source>Keyboard shortcuts</source>
        <extracomment>(keys, what they do). Keys as QKeySequence writes them in its portable form.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/help_dialog.py" line="46"/>
        <source>Keys</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/help_dialog.py" line="46"/>
        <source>What they do</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SourceViewer</name>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="120"/>
        <source>Source document and page</source>
        <extracomment>Widest an image document is shown, in pixels: a PDF page&apos;s width at the viewer&apos;s scale (612 pt x 1.5), so a 300 dpi scan (2,550 px) reads like any other page. Zoom steps of the page image (1.0: the rendered size, 1.5 pixels a point for a PDF). Reading and rendering run here; without a runner (tests), on the calling thread.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="122"/>
        <source>Previous page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="123"/>
        <source>Next page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="124"/>
        <source>Smaller (Ctrl+-)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="125"/>
        <source>Larger (Ctrl++)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="126"/>
        <source>Fit width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="126"/>
        <source>Fit the page to the width</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="127"/>
        <source>Close the source (Ctrl+W)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="135"/>
        <source>About this page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="145"/>
        <source>Page text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="222"/>
        <source>Opening p. {0}…</source>
        <extracomment>The page asked for last; ``shown`` is the page on screen (None while loading). The page shown: its view, its image with the quote drawn, and how it is zoomed. The page the quote is on, and the quote (a Quote, or text kept without a span).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="255"/>
        <source>Source: {0}, p. {1} of {2}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="260"/>
        <source> (scanned page, text recognised by OCR: {0}% confidence)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="288"/>
        <source>This page is too large to draw ({0}). Its text is shown on the right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="292"/>
        <source>(Page too large to draw.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="297"/>
        <source>This page is very large ({0}): it is drawn reduced, so it fits in memory. Zoom in, or read its text on the right.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="303"/>
        <source>(No page image for this type of document.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="334"/>
        <source>Page image; the quote is outlined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="336"/>
        <source>Page image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/source_viewer.py" line="360"/>
        <source>Smaller (Ctrl+-); now {0}%</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SummarisePanel</name>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="48"/>
        <source>Document to summarise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="53"/>
        <source>D&amp;ocument:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="56"/>
        <source>Summary style</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="58"/>
        <source>Brief</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="59"/>
        <source>Detailed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="60"/>
        <source>Chronology</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="63"/>
        <source>St&amp;yle:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="42"/>
        <source>Summa&amp;rise</source>
        <extracomment>The document choice that summarises every top-level document of the matter. heading, document id, lines, notes (the absent key terms, the points&apos; check)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="42"/>
        <source>Summarise the document</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="45"/>
        <source>Summarise the chosen document (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="46"/>
        <source>Stop; finished parts are kept (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="66"/>
        <source>Pages covered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="71"/>
        <source>Summary with page citations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="110"/>
        <source> ({0} p.)</source>
        <extracomment>A batch run&apos;s summaries (All documents), in the matter&apos;s order.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="44"/>
        <source>Unlock a matter to summarise its documents.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="42"/>
        <source>summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="114"/>
        <source>All {0} documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="128"/>
        <source>Import a document on the Documents tab to summarise it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="151"/>
        <source>Reading the document…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="162"/>
        <source>Summarising…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="165"/>
        <source>Cancelled. Finished parts are kept: run it again to resume.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="172"/>
        <source>Reading the documents…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="183"/>
        <source>Summarising {0} documents…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="186"/>
        <source>Cancelled. Finished summaries and parts are kept: run it again to resume.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="201"/>
        <source>Taking shape: points from the parts read so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="205"/>
        <source>Taking shape: what has been read so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="371"/>
        <source>quoted: no point in other words was confirmed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="376"/>
        <source>Other points</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="215"/>
        <location filename="../../app/gui/summarise_panel.py" line="256"/>
        <source>{0} — {1} summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="218"/>
        <source>Pages covered {0}/{1}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="224"/>
        <source> — NOT every page was read (missing: {0}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="229"/>
        <source>  ⚠ Pages with no text (they may need OCR): {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="238"/>
        <source>{0} key facts, {1} key terms, {2} other point(s). Click a page reference to open the source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="244"/>
        <source>{0} point(s). Click a page reference to open the source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="248"/>
        <source>No points: the pages hold no text.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="263"/>
        <source>Pages covered {0}/{1} in {2} documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="270"/>
        <source> — NOT every page was read in: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="273"/>
        <source>  ⚠ Pages with no text (they may need OCR) in: {0}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="281"/>
        <source>{0} point(s) in {1} summaries. Click a page reference to open the source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/summarise_panel.py" line="302"/>
        <location filename="../../app/gui/summarise_panel.py" line="305"/>
        <source>Stopped: points from the parts read so far</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="34"/>
        <source>Unlock {0}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="36"/>
        <source>Unlock with this computer&apos;s &amp;keyring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="41"/>
        <source>Passphrase or recovery key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="42"/>
        <source>This is the &amp;recovery key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="46"/>
        <source>Unlock status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="51"/>
        <source>Unlock</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="56"/>
        <source>&amp;Passphrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/matter_dialogs.py" line="80"/>
        <source>Unlocking…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>panel</name>
    <message>
        <location filename="../../app/gui/reviewing.py" line="79"/>
        <source>review</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>parent</name>
    <message>
        <location filename="../../app/gui/restored_copy.py" line="24"/>
        <source>This matter is an older copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/restored_copy.py" line="31"/>
        <source>Keep this copy only if it is the one you mean to work on: the changes made after it are given up, and the decision is recorded in the audit log. Otherwise cancel and put the newer copy back.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../app/gui/restored_copy.py" line="36"/>
        <source>Keep this copy</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
