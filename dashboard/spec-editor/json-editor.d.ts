/** The part of @json-editor/json-editor (which ships no types) the spec editor uses. */
declare module '@json-editor/json-editor' {
  export interface SubEditor {
    path: string;
    container: HTMLElement;
  }
  export class JSONEditor {
    constructor(element: HTMLElement, options: Record<string, unknown>);
    ready: boolean;
    getValue(): unknown;
    setValue(value: unknown): void;
    getEditor(path: string): SubEditor | null | undefined;
    on(event: 'change' | 'ready', handler: () => void): void;
    destroy(): void;
    static defaults: { options: Record<string, unknown>; languages: Record<string, Record<string, string>> };
  }
}
